"""What the privacy app itself holds about a customer, and what Django's own apps and the task
queue hold (see registry.py)."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from aftersale.privacy.models import AuditEntry, ErasedAddress, Erasure, PrivacySettings
from aftersale.privacy.registry import (
    anonymise,
    declare,
    declare_mentions,
    declare_no_customer_data,
    delete,
    keep,
    mentions,
)

declare(
    Erasure,
    customer="customer",
    why=_("The record that the customer's data was erased, and when."),
    erase=keep(_("The proof of the erasure holds no personal data.")),
)
declare_mentions(
    DBTaskResult,
    find=lambda customer: mentions(customer, "args_kwargs", "return_value", "traceback"),
    why=_(
        "Background tasks, queued and done: a portal sign-in link or data request names the "
        "e-mail address it is sent to."
    ),
    export=("task_path", "status", "enqueued_at", "finished_at", "args_kwargs"),
    erase=delete(),  # a link not sent yet is not sent at all
)
declare_mentions(
    LogEntry,
    find=lambda customer: Q(
        content_type__app_label="orders",
        content_type__model="customer",
        object_id=str(customer.pk),
    ),
    why=_("Changes made to the customer in the admin site, under the customer's name."),
    export=("action_time", "object_repr", "change_message"),
    erase=anonymise(object_repr=lambda entry: f"customer {entry.object_id}"),
)
declare_no_customer_data(AuditEntry, _("Staff actions; customers appear by number only."))
declare_no_customer_data(ErasedAddress, _("Erased addresses, as one-way hashes only."))
declare_no_customer_data(PrivacySettings, _("The shop's retention settings."))
declare_no_customer_data(User, _("Staff accounts, not customers."))
declare_no_customer_data(Group, _("Staff permission groups."))
declare_no_customer_data(Permission, _("Django's permission names."))
declare_no_customer_data(ContentType, _("Django's table of models."))
declare_no_customer_data(
    Session,
    _(
        "Signed-in sessions: staff, and portal visitors' grants to see orders (by number, "
        "no personal data), until the session expires."
    ),
)
