import time
from collections import defaultdict
from datetime import datetime, timezone

from werkzeug.urls import url_encode

from odoo import Command, api, models, tools
from odoo.tools.misc import consteq, hmac

# What the links' tokens sign, so that no other HMAC of the database secret can stand in.
LINK_SCOPE = "order_fulfilment.review_decision_link"
# ir.config_parameter: how many days a link works (default LINK_DAYS).
LINK_DAYS_PARAM = "order_fulfilment.review_link_days"
LINK_DAYS = 7
# Lines of the order shown in the e-mail and on the page.
MAX_LINES = 10


def _from_timestamp(seconds):
    """Seconds since the epoch as a naive UTC datetime, as Odoo stores them."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(tzinfo=None)


class FulfilmentReview(models.Model):
    """Deciding from the e-mail.

    When a review opens, each reviewer who has an e-mail address gets the mail template
    ``mail_template_review_decision`` in their language: the key facts and Approve and Reject
    links. A link is tied to one review and one user: its token is an HMAC, with the database
    secret, of the review, the user, the review's round and the link's expiry. It opens a page
    (``controllers/review.py``) that needs the user logged in, shows the facts and asks for
    confirmation; the decision goes through ``action_approve`` / ``action_reject``, with all
    their checks.
    """

    _inherit = "fulfilment.review"

    def _open(self, now=None):
        result = super()._open(now)
        self._send_decision_mails()
        return result

    # ------------------------------------------------------------------
    # Links
    # ------------------------------------------------------------------
    @api.model
    def _decision_link_expiry(self):
        """When links made now stop working (seconds since the epoch)."""
        days = self.env["ir.config_parameter"].sudo().get_param(LINK_DAYS_PARAM)
        try:
            days = float(days) if days else LINK_DAYS
        except ValueError:
            days = LINK_DAYS
        return int(time.time() + days * 86400)

    def _decision_token(self, user_id, expires):
        self.ensure_one()
        return hmac(self.env(su=True), LINK_SCOPE, [self.id, user_id, self.round, expires])

    def _decision_url(self, user, decision, expires):
        """The absolute URL of the link that lets ``user`` approve or reject this review."""
        self.ensure_one()
        query = url_encode(
            {"user": user.id, "expires": expires, "token": self._decision_token(user.id, expires)}
        )
        return f"{self.get_base_url()}/fulfilment/review/{self.id}/{decision}?{query}"

    def _decision_link_refusal(self, user, user_id, expires, token):
        """Why the link (``user_id``, ``expires``, ``token`` as the URL gives them) does not let
        ``user`` decide this review now: (code, message) in the environment's language; None
        when it does. Codes: invalid, other_user, expired, decided, cancelled, not_yours."""
        review = self.sudo().exists()
        try:
            user_id, expires = int(user_id), int(expires)
        except (TypeError, ValueError):
            user_id = expires = None
        if (
            len(review) != 1
            or user_id is None
            or not isinstance(token, str)
            or not consteq(token, review._decision_token(user_id, expires))
        ):
            return "invalid", self.env._(
                "This link is not valid: it may have been cut in the e-mail. Open the review in Odoo instead."
            )
        if user_id != user.id:
            return "other_user", self.env._(
                "This link was sent to %(user)s: only they can decide with it. Log in as them, or "
                "open the review in Odoo.",
                user=self.env["res.users"].sudo().browse(user_id).exists().name or "?",
            )
        # A sign-off may need several approvers: whoever approved it is told so, not refused.
        approved_by_user = user in review.approver_ids or (
            review.state == "approved" and review.reviewer_id == user
        )
        if review.state == "pending" and approved_by_user:
            return "decided", self.env._(
                "You approved the %(group)s review of %(document)s: it needs %(count)s more "
                "approver(s) of the department.",
                group=review.department,
                document=review.record_name,
                count=max(review.min_approvers - review.approval_count, 1),
            )
        if review.state in ("approved", "rejected"):
            values = {
                "group": review.department,
                "document": review.record_name,
                "reviewer": ", ".join(review.approver_ids.mapped("name")) or review.reviewer_id.name,
                "date": tools.format_datetime(self.env, review.decision_date, tz=user.tz),
            }
            if review.state == "approved" and approved_by_user:
                message = self.env._(
                    "You approved the %(group)s review of %(document)s on %(date)s.", **values
                )
            elif review.reviewer_id == user:
                message = self.env._(
                    "You rejected the %(group)s review of %(document)s on %(date)s.", **values
                )
            elif review.state == "approved":
                message = self.env._(
                    "%(reviewer)s already approved the %(group)s review of %(document)s on %(date)s: "
                    "nothing is left to decide.",
                    **values,
                )
            else:
                message = self.env._(
                    "%(reviewer)s already rejected the %(group)s review of %(document)s on %(date)s: "
                    "nothing is left to decide.",
                    **values,
                )
            return "decided", message
        if review.state == "cancelled":
            return "cancelled", self.env._(
                "The %(group)s review of %(document)s was cancelled: the document changed or was "
                "cancelled after the review was requested. Nothing is left to decide.",
                group=review.department,
                document=review.record_name,
            )
        record = review._reviewed_record()
        if not record or not record._review_is_open():
            return "cancelled", self.env._(
                "%(document)s is no longer open for review (it was cancelled): nothing is left to decide.",
                document=review.record_name or review.res_model,
            )
        if expires < time.time():
            return "expired", self.env._(
                "This link expired on %(date)s. Open the review in Odoo to decide it.",
                date=tools.format_datetime(self.env, _from_timestamp(expires), tz=user.tz),
            )
        reason = review._cannot_decide_reasons(user).get(review.id)
        if reason:
            return "not_yours", self.env._("You can no longer decide this review: %(reason)s", reason=reason)
        return None

    def _decide_from_link(self, decision, reason=None):
        """Approve or reject this review as the current user, through the same methods and
        checks as the screens; a rejection needs its reason."""
        self.ensure_one()
        if decision == "approve":
            return self.action_approve()
        return self.action_reject(comment=reason or "")

    # ------------------------------------------------------------------
    # What the reviewer reads, in the e-mail and on the page
    # ------------------------------------------------------------------
    def _decision_facts(self, user=None):
        """The key facts of the reviewed document for ``user`` (default: the current user), as
        texts in the environment's language: document, department, reason, customer, total,
        requested date, salesperson, deadline, and the lines the rule looked at."""
        self.ensure_one()
        user = user or self.env.user
        review = self.sudo()
        env = self.env
        order = review.order_id
        tz = user.tz or review.company_id.sudo()._fulfilment_tz().zone

        def when(moment):
            return tools.format_datetime(env, moment, tz=tz, dt_format="short") if moment else False

        facts = {
            "document": review.record_name or "",
            "department": review.department or "",
            "reason": review.reason or "",
            "customer": order.partner_id.display_name or "",
            "total": tools.format_amount(env, order.amount_total, order.currency_id) if order else "",
            "requested_date": when(order.commitment_date) or env._("not set"),
            "salesperson": order.user_id.name or "",
            "requested_by": review.requested_by_id.name or "",
            "deadline": when(review.deadline) or "",
            "lines": [],
            "more_lines": 0,
        }
        lines = review._decision_lines()
        for line in lines[:MAX_LINES].with_context(lang=env.lang):
            facts["lines"].append(
                {
                    "product": line.product_id.display_name,
                    "quantity": f"{tools.formatLang(env, line.product_uom_qty)} {line.product_uom.name}",
                    "price": tools.format_amount(env, line.price_unit, line.currency_id),
                    "discount": (f"{tools.formatLang(env, line.discount)} %") if line.discount else "",
                }
            )
        facts["more_lines"] = max(len(lines) - MAX_LINES, 0)
        return facts

    def _decision_lines(self):
        """The order lines this review is about: those of the products its reason names (the
        discounted, non-standard... ones), else every product line."""
        self.ensure_one()
        review = self.sudo()
        lines = review.order_id.order_line.filtered(lambda line: line.product_id and not line.display_type)
        product_ids = {
            product_id
            for _code, values in review.reason_data or []
            if isinstance(values, dict)
            for product_id in values.get("product_ids", [])
        }
        named = lines.filtered(lambda line: line.product_id.id in product_ids)
        return named or lines

    def _decision_mail_values(self):
        """What the e-mail template shows: the facts and the links of the reviewer it is sent to
        (context ``fulfilment_decision_user_id``, else the current user)."""
        self.ensure_one()
        user = (
            self.env["res.users"]
            .sudo()
            .browse(self.env.context.get("fulfilment_decision_user_id") or self.env.uid)
        )
        expires = self.env.context.get("fulfilment_decision_expires") or self._decision_link_expiry()
        values = self._decision_facts(user)
        values.update(
            reviewer=user.name,
            approve_url=self._decision_url(user, "approve", expires),
            reject_url=self._decision_url(user, "reject", expires),
            expires=tools.format_datetime(
                self.env,
                _from_timestamp(expires),
                tz=user.tz or self.sudo().company_id._fulfilment_tz().zone,
                dt_format="short",
            ),
        )
        return values

    def _decision_mail_from(self):
        """The sender of the e-mail: the requester's name at the company's address (whatever
        their own address)."""
        self.ensure_one()
        review = self.sudo()
        return (
            self.env["mail.thread"]
            .with_company(review.company_id)
            ._fulfilment_fallback_email(review.requested_by_id.partner_id.id)
        )

    def action_forward(self, user_id, note=None):
        result = super().action_forward(user_id, note=note)
        # The colleague the reviews were forwarded to gets the e-mail too (or their substitute).
        target = (
            self.env["res.users"]
            .sudo()
            .browse(user_id.id if isinstance(user_id, models.BaseModel) else user_id)
        )
        self._send_decision_mails({review.id: target for review in self})
        return result

    def _send_decision_mails(self, users_by_review=None):
        """The e-mail with the Approve and Reject links, to each reviewer of these (just opened)
        reviews who has an e-mail address, in their language; queued, one batch per reviewer.
        With ``users_by_review`` ({review id: users}), only to those users (or their
        substitutes), as ``_create_activities`` does."""
        template = self.env.ref("order_fulfilment.mail_template_review_decision", raise_if_not_found=False)
        reviews = self.sudo().filtered(lambda r: r.state == "pending")
        if not template or not reviews:
            return
        by_user = defaultdict(list)
        for review_id, recipients in reviews._recipients(users_by_review).items():
            for user in self.env["res.users"].sudo().union(*recipients).filtered("email"):
                by_user[user].append(review_id)
        expires = self._decision_link_expiry()
        for user, review_ids in by_user.items():
            template.sudo().with_context(
                lang=user.lang, fulfilment_decision_user_id=user.id, fulfilment_decision_expires=expires
            ).send_mail_batch(
                review_ids,
                email_values={"recipient_ids": [Command.link(user.partner_id.id)]},
                email_layout_xmlid="mail.mail_notification_light",
            )
