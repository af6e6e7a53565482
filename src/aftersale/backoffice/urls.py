from django.urls import path

from aftersale.backoffice.views import (
    auth,
    customers,
    dashboard,
    deliveries,
    exports,
    insights,
    integrations,
    orders,
    privacy,
    returns,
    shops,
    staff_returns,
    withdrawals,
)
from aftersale.backoffice.views import flows as flow_views

app_name = "backoffice"

# One module per area in backoffice/views/; add an area's pages as path lines below, and its
# object pages to OBJECT_URLS in tests/backoffice/test_tenancy.py.

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("", dashboard.dashboard, name="dashboard"),
    path("shop/switch/", shops.switch_shop, name="switch_shop"),
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/export.csv", exports.customers, name="customers_export"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer_detail"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/export.csv", exports.orders, name="orders_export"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/return/", staff_returns.register_return, name="return_register"),
    path("deliveries/", deliveries.deliveries, name="deliveries"),
    path("deliveries/unclaimed/", deliveries.unclaimed_report, name="unclaimed_report"),
    path("deliveries/flagged/", deliveries.flagged, name="flagged_customers"),
    path("deliveries/costs/", deliveries.save_costs, name="delivery_costs"),
    path("insights/", insights.insights, name="insights"),
    path("insights/refresh/", insights.refresh_insights, name="insights_refresh"),
    path("insights/segments/<slug:segment>/", insights.segment_customers, name="insights_segment"),
    path(
        "insights/segments/<slug:segment>/export.csv",
        exports.segment,
        name="insights_segment_export",
    ),
    path("returns/", returns.queue, name="returns"),
    path("returns/export.csv", exports.returns, name="returns_export"),
    path("returns/approve/", returns.bulk_approve, name="returns_bulk_approve"),
    path("returns/receive/", returns.receive, name="returns_receive"),
    path("returns/insight/", returns.insight_page, name="returns_insight"),
    path("returns/policy/", returns.policy_page, name="return_policy"),
    path("returns/<int:return_id>/", returns.detail, name="return_detail"),
    path("returns/<int:return_id>/photos/<int:photo_id>/", returns.photo, name="return_photo"),
    path("flows/", flow_views.flow_list, name="flow_list"),
    path("flows/new/", flow_views.flow_edit, name="flow_new"),
    path("flows/<int:flow_id>/", flow_views.flow_detail, name="flow_detail"),
    path("flows/<int:flow_id>/edit/", flow_views.flow_edit, name="flow_edit"),
    path("flows/<int:flow_id>/toggle/", flow_views.flow_toggle, name="flow_toggle"),
    path("flows/templates/", flow_views.template_list, name="flow_templates"),
    path("flows/templates/new/", flow_views.template_new, name="flow_template_new"),
    path("flows/templates/<int:template_id>/", flow_views.template_edit, name="flow_template_edit"),
    path(
        "flows/templates/<int:template_id>/copy/",
        flow_views.template_copy,
        name="flow_template_copy",
    ),
    path(
        "flows/templates/<int:template_id>/delete/",
        flow_views.template_delete,
        name="flow_template_delete",
    ),
    path("flows/settings/", flow_views.messaging_settings, name="flow_messaging_settings"),
    path("flows/messages/", flow_views.message_list, name="flow_messages"),
    path("flows/messages/<int:message_id>/", flow_views.message_detail, name="flow_message"),
    path(
        "flows/messages/<int:message_id>/retry/",
        flow_views.message_retry,
        name="flow_message_retry",
    ),
    path(
        "flows/messages/<int:message_id>/cancel/",
        flow_views.message_cancel,
        name="flow_message_cancel",
    ),
    path("flows/dead-letters/", flow_views.dead_letters, name="flow_dead_letters"),
    path("flows/dead-letters/act/", flow_views.dead_letters_act, name="flow_dead_letters_act"),
    path("withdrawals/", withdrawals.overview, name="withdrawals"),
    path("withdrawals/settings/", withdrawals.save_settings, name="withdrawal_settings"),
    path(
        "withdrawals/<int:withdrawal_id>/goods-back/",
        withdrawals.goods_back,
        name="withdrawal_goods_back",
    ),
    path(
        "withdrawals/<int:withdrawal_id>/refund/",
        withdrawals.refund_withdrawal,
        name="withdrawal_refund",
    ),
    path(
        "withdrawals/unclaimed/<int:shipment_id>/open/",
        withdrawals.open_unclaimed,
        name="unclaimed_open",
    ),
    path(
        "withdrawals/unclaimed/cases/<int:case_id>/refund/",
        withdrawals.refund_unclaimed,
        name="unclaimed_refund",
    ),
    path("integrations/", integrations.integrations, name="integrations"),
    path(
        "integrations/tokens/<int:token_id>/revoke/", integrations.revoke_token, name="revoke_token"
    ),
    path("integrations/webhooks/", integrations.add_endpoint, name="add_webhook_endpoint"),
    path(
        "integrations/webhooks/<int:endpoint_id>/",
        integrations.endpoint_detail,
        name="webhook_endpoint",
    ),
    path(
        "integrations/webhooks/<int:endpoint_id>/remove/",
        integrations.remove_endpoint,
        name="remove_webhook_endpoint",
    ),
    path("integrations/import/", integrations.csv_import, name="csv_import"),
    path("integrations/inbound/", integrations.inbound_webhooks, name="inbound_webhooks"),
    path("customers/<int:customer_id>/export/", privacy.export_customer, name="export_customer"),
    path("customers/<int:customer_id>/erase/", privacy.erase_customer_page, name="erase_customer"),
    path("privacy/", privacy.settings_page, name="privacy_settings"),
    path("privacy/audit/", privacy.audit_log, name="audit_log"),
    path("privacy/audit.csv", privacy.audit_log_csv, name="audit_log_csv"),
]
