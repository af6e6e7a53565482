"""A shop's customer portal, under /s/<shop_slug>/."""

from django.urls import path

from aftersale.portal import (
    contact,
    csat,
    help_centre,
    lookup,
    loyalty,
    my_data,
    orders,
    returns,
    review_widget,
    reviews,
    rewards,
    survey,
    withdrawal,
)

app_name = "portal"

urlpatterns = [
    path("", lookup.lookup, name="lookup"),
    path("link/", lookup.request_link, name="request_link"),
    path("link/<str:token>/", lookup.open_link, name="open_link"),
    path("sign-out/", lookup.sign_out, name="sign_out"),
    path("help/", help_centre.index, name="help"),
    path("help/<int:article_id>/", help_centre.article, name="help_article"),
    path("help/<int:article_id>/feedback/", help_centre.feedback, name="help_feedback"),
    path("orders/<int:order_id>/", orders.order_page, name="order"),
    path("orders/<int:order_id>/return/", returns.start_return, name="start_return"),
    path("returns/<str:code>/", returns.return_status, name="return_status"),
    path("returns/<str:code>/slip.pdf", returns.return_slip, name="return_slip"),
    path("returns/<str:code>/qr.svg", returns.return_qr, name="return_qr"),
    path("returns/<str:code>/photos/<int:photo_id>/", returns.return_photo, name="return_photo"),
    path("loyalty/", loyalty.loyalty_page, name="loyalty"),
    path("contact/", contact.contact, name="contact"),
    path("contact/sent/", contact.contact_sent, name="contact_sent"),
    path("contact/suggestions/", contact.contact_suggestions, name="contact_suggestions"),
    path("csat/<str:token>/", csat.answer, name="csat"),
    path("my-data/", my_data.request_export, name="my_data"),
    # Before the export link's pattern, which would take "erase" for a token.
    path("my-data/erase/", my_data.request_erasure, name="erase_my_data"),
    path("my-data/erase/<str:token>/", my_data.confirm_erasure, name="confirm_erasure"),
    path("my-data/<str:token>/", my_data.confirm_export, name="confirm_my_data"),
    path("r/<str:code>/", rewards.referral, name="referral"),
    path("loyalty/rewards/<int:reward_id>/redeem/", rewards.redeem, name="redeem_reward"),
    path(
        "loyalty/codes/<int:redemption_id>/give-back/",
        rewards.give_back,
        name="give_back_reward",
    ),
    path("survey/<str:token>/", survey.survey, name="survey"),
    path("review/<str:token>/", reviews.review_page, name="review"),
    path("review/<str:token>/thanks/", reviews.review_thanks, name="review_thanks"),
    path("reviews/policy/", reviews.review_policy, name="review_policy"),
    path("withdraw/", withdrawal.start, name="withdraw"),
    path("withdraw/<int:order_id>/", withdrawal.withdraw_order, name="withdraw_order"),
    path("withdrawals/<str:code>/", withdrawal.receipt, name="withdrawal_receipt"),
    path(
        "withdrawals/<str:code>/acknowledgement.pdf",
        withdrawal.acknowledgement,
        name="withdrawal_acknowledgement",
    ),
]

# Reviews on the shop's own product pages: public, cacheable, any origin (review_widget.py).
urlpatterns += [
    path("reviews/feed.xml", review_widget.ratings_feed, name="review_feed"),
    path("reviews/photos/<int:photo_id>/", review_widget.review_photo, name="review_photo"),
    path("reviews/widget/<str:external_id>/", review_widget.widget, name="review_widget"),
    path(
        "reviews/products/<str:external_id>.jsonld",
        review_widget.product_json_ld,
        name="review_json_ld",
    ),
    path(
        "reviews/products/<str:external_id>.json",
        review_widget.product_reviews_json,
        name="review_json",
    ),
]
