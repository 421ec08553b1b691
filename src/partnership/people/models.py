"""Parties, organisations, the people who act for them, and API tokens."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def localised(obj, field: str) -> str:
    """The reader's language version of `field` (`field_en`/`field_ja`), falling back to English."""
    language = (get_language() or "en")[:2]
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_en")


class Party(models.Model):
    """A participant of the partnership (para 16: Japan, the EU, later any like-minded partner)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    languages = models.JSONField(_("languages"), default=list)
    time_zone = models.CharField(_("time zone"), max_length=64)

    class Meta:
        ordering = ["code"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        return localised(self, "name")


class Organisation(models.Model):
    """A body that acts in the partnership: a secretariat, a ministry, a member state, a stakeholder body,
    or a cooperation mechanism (para 21) that belongs to no single party."""

    class Kind(models.TextChoices):
        SECRETARIAT = "secretariat", _("secretariat")
        MINISTRY = "ministry", _("ministry or service")
        MEMBER_STATE = "member_state", _("member state")
        STAKEHOLDER = "stakeholder", _("stakeholder body")
        MECHANISM = "mechanism", _("cooperation mechanism")
        # paras 63-64: an online platform that files statements of reasons and transparency records
        PLATFORM = "platform", _("online platform")
        # para 61: a submarine cable operator (a consortium member) that reports its cables' outages
        OPERATOR = "operator", _("cable operator")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    party = models.ForeignKey(
        Party,
        verbose_name=_("party"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_ja = models.CharField(_("name (Japanese)"), max_length=300, blank=True)
    paragraphs = models.JSONField(_("paragraphs naming it"), default=list, blank=True)

    class Meta:
        ordering = ["party__code", "code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return localised(self, "name")


class Membership(models.Model):
    """What a user acts as: one organisation, with one role. Party comes from the organisation."""

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", _("secretariat")
        ACTION_LEAD = "action_lead", _("action lead")
        MEMBER_STATE = "member_state", _("member state")
        STAKEHOLDER = "stakeholder", _("stakeholder")
        # paras 63-64: acts for an online platform; files its statements of reasons, nothing else
        PLATFORM = "platform", _("platform")
        # para 61: acts for a cable operator; reports outages on its cables
        OPERATOR = "operator", _("cable operator")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="members"
    )

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        JAPANESE = "ja", _("Japanese")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text=_("The language of the mail the node sends this person."),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation.code}, {self.role})"

    @property
    def party(self) -> Party | None:
        return self.organisation.party


class ApiToken(models.Model):
    """A bearer token for scripts. Only its SHA-256 is stored; the token itself is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(
        _("prefix"), max_length=12, help_text=_("First characters, to recognise a token.")
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
