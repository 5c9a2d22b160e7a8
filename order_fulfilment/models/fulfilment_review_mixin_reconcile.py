from markupsafe import Markup

from odoo import fields, models


class FulfilmentReviewMixin(models.AbstractModel):
    """The review engine after a change of a record under review: what the reviewers signed,
    and which sign-offs are kept, dropped or asked again (precise invalidation)."""

    _inherit = "fulfilment.review.mixin"

    # ------------------------------------------------------------------
    # What the reviewers signed
    # ------------------------------------------------------------------
    def _review_snapshot(self):
        """{record id: the values of the watched fields}: what the reviewers signed. A one2many
        counts by its lines (section and note lines left out) and their watched sub-fields."""

        def plain(record, name):
            value = record[name]
            return tuple(value.ids) if isinstance(value, models.BaseModel) else value

        def lines(record, name, sub_fields):
            rows = record[name].filtered(
                lambda line: not line._fields.get("display_type") or not line.display_type
            )
            return tuple(sorted((row.id, *(plain(row, sub) for sub in sub_fields)) for row in rows))

        watched = self._review_watched_fields
        return {
            record.id: tuple(
                plain(record, name) if subs is None else lines(record, name, subs)
                for name, subs in watched.items()
            )
            for record in self
        }

    def _review_under_review(self):
        return self.filtered(lambda r: r._review_is_open() and r.review_state in ("pending", "approved"))

    def _review_capture(self):
        """What the reviewers of these records signed, before a change: {record id: (the watched
        values, the facts the rules read)}."""
        __, facts = self.env["fulfilment.review.rule"]._rules_and_facts(self, self._review_applies_to)
        snapshot = self._review_snapshot()
        return {record.id: (snapshot[record.id], facts.get(record.id)) for record in self}

    def _review_reconcile(self, before):
        """After a change of the watched fields of records under review, re-match the rules:

        - a sign-off whose rule no longer applies is dropped (cancelled: no longer needed);
        - one whose rule still applies stays as it is when the change does not make worse what
          the rule looks at (``fulfilment.review.rule._reask_reasons``), and is asked again
          otherwise (cancelled, and a new one in the same round);
        - a rule that applies now adds its sign-off to the round.

        The steps follow: the lowest step not approved is open, later ones wait. The chatter
        says what was kept, dropped, asked again or added, and why.

        :param before: ``_review_capture()`` of the records before the change
        """
        records = self.exists().filtered(lambda r: r.id in before)
        snapshot = records._review_snapshot()
        records = records.filtered(lambda r: before[r.id][0] != snapshot[r.id])
        if not records:
            return
        Rule = self.env["fulfilment.review.rule"]
        Review = self.env["fulfilment.review"]
        rules_after, facts_after = Rule._rules_and_facts(records, self._review_applies_to)
        now = fields.Datetime.now()
        to_cancel = Review
        values = []
        events = {}
        for record in records:
            current = record._review_current().filtered(
                lambda r: r.state in ("waiting", "pending", "approved")
            )
            matching = rules_after.get(record, Rule)
            fact_before, fact_after = before[record.id][1], facts_after.get(record.id)
            record_events = events[record] = []
            for review in current:
                rule = review.rule_id
                if rule and rule not in matching:
                    to_cancel |= review
                    record_events.append(("dropped", review, []))
                    continue
                if rule and fact_before and fact_after:
                    reasons = rule._reask_reasons(fact_before, fact_after)
                else:
                    reasons = [record._review_changed_reason]
                if not reasons:
                    record_events.append(("kept", review, []))
                    continue
                to_cancel |= review
                record_events.append(("asked", review, reasons))
                values.append(
                    record._review_values(
                        review.group_id,
                        review.sequence,
                        rule,
                        rule._reason_items(fact_after) if rule else review.reason_data,
                        record.review_round,
                        now,
                    )
                )
            for rule in matching - current.rule_id:
                record_events.append(("added", rule, []))
                values.append(
                    record._review_values(
                        rule.group_id,
                        rule.sequence,
                        rule,
                        rule._reason_items(fact_after),
                        record.review_round,
                        now,
                    )
                )
        if to_cancel:
            to_cancel._remove_activities()
            to_cancel.sudo().write({"state": "cancelled"})
        if values:
            Review.sudo().create(values)
        was_approved = records.filtered(lambda r: r.review_state == "approved")
        records._review_follow_steps(now)
        for record in records:
            record._review_post_reconciled(events[record])
        records._review_recompute_state()
        newly_approved = records.filtered(lambda r: r.review_state == "approved") - was_approved
        if newly_approved:
            newly_approved._review_on_approved()

    def _review_follow_steps(self, now=None):
        """Open the lowest step of the current round that is not approved; later steps wait."""
        to_open = self.env["fulfilment.review"]
        to_wait = self.env["fulfilment.review"]
        for record in self:
            active = record._review_current().filtered(
                lambda r: r.state in ("waiting", "pending", "approved")
            )
            open_ = active.filtered(lambda r: r.state != "approved")
            if not open_:
                continue
            step = min(open_.mapped("sequence"))
            to_open |= open_.filtered(lambda r, step=step: r.state == "waiting" and r.sequence == step)
            to_wait |= open_.filtered(lambda r, step=step: r.state == "pending" and r.sequence > step)
        if to_wait:
            to_wait._remove_activities()
            to_wait.sudo().write({"state": "waiting", "deadline": False})
        if to_open:
            to_open._open(now)

    def _review_post_reconciled(self, events):
        """Tell in the chatter what a change did to the sign-offs of this record (one)."""
        if not events:
            return

        def title(env):
            return env._("The document changed while under review; the sign-offs were checked again:")

        def line(env, kind, item, reasons):
            department = item.with_env(env).department
            if kind == "kept":
                return env._("%(department)s: kept, the change does not concern it", department=department)
            if kind == "dropped":
                return env._("%(department)s: dropped, no longer needed", department=department)
            if kind == "added":
                return env._("%(department)s: added, its rule applies now", department=department)
            return env._(
                "%(department)s: asked again, %(reasons)s",
                department=department,
                reasons="; ".join(reason(env) for reason in reasons),
            )

        if not hasattr(self, "_fulfilment_post"):
            return
        self._fulfilment_post(
            lambda record: (
                Markup("<p>%s</p><ul>%s</ul>")
                % (
                    title(record.env),
                    Markup("").join(
                        Markup("<li>%s</li>") % line(record.env, kind, item, reasons)
                        for kind, item, reasons in events
                    ),
                )
            )
        )
