from odoo import Command, models
from odoo.exceptions import UserError


class FulfilmentReview(models.Model):
    """Forwarding (转交): a reviewer hands pending reviews to a named colleague, who may decide
    them too, even outside the department, and gets a to-do; the department still decides."""

    _inherit = "fulfilment.review"

    def action_forward(self, user_id, note=None):
        """Forward these pending reviews to another internal user, with a note: they may decide
        them too, even outside the department, and get a to-do. The department still decides.

        :param user_id: the user (id or record)
        :param note: what the reviewer asks of them (optional)
        """
        if not self:
            return True
        if note is not None and not isinstance(note, str):
            raise UserError(self.env._("The note of a forward is a text."))
        if isinstance(user_id, models.BaseModel):
            user_id = user_id.id
        valid_id = isinstance(user_id, int) and not isinstance(user_id, bool) and user_id > 0
        target = self.env["res.users"].sudo().browse(user_id if valid_id else []).exists()
        if len(target) != 1:
            raise UserError(self.env._("Choose the colleague to forward the review to."))
        self._lock_reviews()
        self._check_pending()
        self._check_can_decide()
        forbidden = self.filtered(lambda r: r.rule_id and not r.rule_id.allow_forward)
        if forbidden:
            raise UserError(
                self.env._(
                    "The %(group)s review of %(document)s cannot be forwarded: its rule %(rule)s asks the "
                    "department itself to decide.",
                    group=forbidden[0].department,
                    document=forbidden[0].record_name,
                    rule=forbidden[0].rule_id.name,
                )
            )
        if not target.active or target.share:
            raise UserError(
                self.env._(
                    "%(user)s is not an active internal user: forward the review to a colleague who logs in.",
                    user=target.name,
                )
            )
        if target == self.env.user:
            raise UserError(self.env._("You cannot forward a review to yourself."))
        foreign = self.filtered(lambda r: r.company_id not in target.company_ids)
        if foreign:
            raise UserError(
                self.env._(
                    "%(user)s does not work for %(company)s: forward the review of %(document)s to a "
                    "colleague of that company.",
                    user=target.name,
                    company=foreign[0].company_id.name,
                    document=foreign[0].record_name,
                )
            )
        already = self.filtered(lambda r: target in r.forward_user_ids)
        if already:
            raise UserError(
                self.env._(
                    "The %(group)s review of %(document)s was already forwarded to %(user)s.",
                    group=already[0].department,
                    document=already[0].record_name,
                    user=target.name,
                )
            )
        banned = self.filtered(lambda r: not r.rule_id.allow_self_review)._self_review_banned_users()
        conflicted = self.filtered(
            lambda r: r.id in banned and (target in banned[r.id][0] or target.id in banned[r.id][1])
        )
        if conflicted:
            raise UserError(
                self.env._(
                    "%(user)s requested %(document)s, is its salesperson or stands in for them, so they "
                    "cannot sign its %(group)s review: forward it to someone else.",
                    user=target.name,
                    document=conflicted[0].record_name,
                    group=conflicted[0].department,
                )
            )
        note = note.strip() if note else None
        self.sudo().write({"forward_user_ids": [Command.link(target.id)]})
        self._create_activities({review.id: target for review in self}, note=note)
        for review in self:
            record = review._reviewed_record()
            if record:
                # Logged as the reviewer, who may not write on the document.
                record.sudo()._review_post(
                    lambda env, review=review: env._(
                        "%(department)s review forwarded by %(user)s to %(target)s.",
                        department=review.with_env(env).department,
                        user=env.user.name,
                        target=target.name,
                    ),
                    comment=note,
                )
        return True

    def action_open_forward_wizard(self):
        """The dialog that forwards the selected reviews (checked first, so that it opens only
        for reviews the user can forward)."""
        self._check_pending()
        self._check_can_decide()
        return self._dialog_action("fulfilment.review.forward", self.env._("Forward Review"))
