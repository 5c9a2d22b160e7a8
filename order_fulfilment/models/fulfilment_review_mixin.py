from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.checks import raise_if_any

REVIEW_STATE = [
    ("none", "Not Needed"),
    ("draft", "To Request"),
    ("pending", "Under Review"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
OPEN_REVIEW_STATES = ("waiting", "pending")


class FulfilmentReviewMixin(models.AbstractModel):
    """Department sign-offs on any model: the review engine.

    A model opts in by inheriting this mixin and declaring:

    - ``_review_applies_to``: the ``applies_to`` value of the rules that cover it;
    - ``_review_open_states``: the values of its ``state`` in which it can be reviewed
      (quotations: draft and sent);
    - ``_review_gate_states``: the states it may enter only once its reviews are approved
      (quotations: sale). Writing one of them, by any means, is refused while sign-offs miss;
    - ``_review_watched_fields``: {field: None, or the sub-fields of a one2many}: a change of
      any of them cancels the open and approved sign-offs (the record must be reviewed again).

    Small hooks refine it: ``_review_order`` (the sale order whose values the rules read),
    ``_review_change_type``, ``_review_self_review_users``, ``_review_state_depends``,
    ``_review_on_approved``, ``_review_on_rejected``, ``_review_changed_reason``.
    The mixin owns the request, the decisions (``action_review_approve``,
    ``action_review_reject``), the gate and the invalidation.

    Each request opens a new round of reviews: one per matching rule, plus any extra
    review the model asks for. Reviews of the lowest step are pending, later steps wait;
    a step opens when every review of the earlier steps is approved.
    """

    _name = "fulfilment.review.mixin"
    _description = "Fulfilment Review Mixin"
    _review_applies_to = None
    _review_state_field = "state"
    _review_open_states = ()
    _review_gate_states = ()
    _review_watched_fields = {}

    review_ids = fields.One2many(
        "fulfilment.review",
        "res_id",
        "Reviews",
        domain=lambda self: [("res_model", "=", self._name)],
        readonly=True,
    )
    review_state = fields.Selection(
        REVIEW_STATE, "Review Status", compute="_compute_review_state", store=True, index=True
    )
    review_round = fields.Integer(readonly=True, copy=False, default=0)
    review_requested_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    review_requested_date = fields.Datetime("Review Requested On", readonly=True, copy=False)
    review_count = fields.Integer(compute="_compute_review_info")
    review_requirement = fields.Text("Required Reviews", compute="_compute_review_info")
    review_rejection = fields.Text("Rejection Reason", compute="_compute_review_info")
    review_can_decide = fields.Boolean(compute="_compute_review_info")

    # ------------------------------------------------------------------
    # Hooks
    # ------------------------------------------------------------------
    def _review_order(self):
        """The sale order whose values the rules' criteria read (one record; none by default)."""
        return self.env["fulfilment.review"].order_id

    def _review_is_open(self):
        """Whether this record (one) can still be reviewed (e.g. a quotation)."""
        return self[self._review_state_field] in self._review_open_states

    def _review_change_type(self):
        return False

    @api.model
    def _review_state_depends(self):
        """What the rules read: the company, the state and the watched fields."""
        depends = ["company_id", self._review_state_field]
        for name, sub_fields in self._review_watched_fields.items():
            depends += [f"{name}.{sub}" for sub in sub_fields] if sub_fields else [name]
        return depends

    def _review_on_approved(self):
        """Called on the records whose every review of the round is approved."""

    def _review_on_rejected(self):
        """Called on the records of which a review was just rejected."""

    def _review_self_review_users(self):
        """{record id: users who may not sign its reviews (unless the rule allows it)}: the
        record's responsible (``user_id``) by default; the requester of a round never may."""
        if "user_id" not in self._fields:
            return {}
        return {record.id: record.user_id for record in self.sudo()}

    def _review_changed_reason(self, env):
        """Why the sign-offs were cancelled by a change of the watched fields, in env's language."""
        return env._("the document changed after the review was requested")

    def _review_escalation_threads(self):
        """The records whose chatter tells of an overdue review of this record (one)."""
        order = self._review_order()
        return order or (self if hasattr(self, "_fulfilment_post") else self.browse())

    def _review_open_action(self):
        """The window action that opens this record (one) from its review."""
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
        }

    @api.model
    def _review_open_domain(self):
        """The records not under review whose review status follows the rules (e.g. quotations)."""
        return [
            (self._review_state_field, "in", list(self._review_open_states)),
            ("review_state", "in", ("none", "draft")),
        ]

    # ------------------------------------------------------------------
    # State
    # ------------------------------------------------------------------
    def _review_current(self):
        """The reviews of the current round, not cancelled (one record)."""
        self.ensure_one()
        return self.review_ids.filtered(lambda r: r.round == self.review_round and r.state != "cancelled")

    @api.depends(lambda self: self._review_state_depends())
    def _compute_review_state(self):
        self.review_state = "none"
        live = self._review_live_state()
        for record in self:
            record.review_state = live[record][0]

    def _review_live_state(self):
        """{record: (state, rules that apply)}: from the current round of reviews, or from the
        rules that match now when no review was requested (or the last round was cancelled)."""
        result = {}
        to_match = self.browse()
        for record in self:
            current = record._review_current() if record.id else record.review_ids.browse()
            states = set(current.mapped("state"))
            if "rejected" in states:
                result[record] = ("rejected", current.rule_id)
            elif states & set(OPEN_REVIEW_STATES):
                result[record] = ("pending", current.rule_id)
            elif states:
                result[record] = ("approved", current.rule_id)
            elif record._review_is_open():
                to_match |= record
            else:
                result[record] = ("none", self.env["fulfilment.review.rule"])
        if to_match:
            rules = self.env["fulfilment.review.rule"]._rules_for(to_match, self._review_applies_to)
            for record in to_match:
                matched = rules.get(record)
                result[record] = (
                    "draft" if matched else "none",
                    matched or self.env["fulfilment.review.rule"],
                )
        return result

    def _review_recompute_state(self):
        self.env.add_to_compute(self._fields["review_state"], self)
        self.flush_recordset(["review_state"])

    @api.depends(
        "review_ids.state", "review_ids.approval_count", "review_ids.forward_user_ids", "review_round"
    )
    @api.depends_context("uid", "lang")
    def _compute_review_info(self):
        rule_model = self.env["fulfilment.review.rule"]
        drafts = self.filtered(lambda r: r.review_state == "draft" and r._review_is_open())
        rules, facts = rule_model._rules_and_facts(drafts, self._review_applies_to)
        current_by_record = {
            record: record._review_current() if record.id else record.review_ids.browse() for record in self
        }
        # The same rules as the reviews' own "can decide", for all the records at once.
        undecidable = (
            self.env["fulfilment.review"]
            .union(*current_by_record.values())
            ._cannot_decide_reasons(self.env.user)
        )
        for record in self:
            current = current_by_record[record]
            record.review_count = len(record.review_ids.filtered(lambda r: r.state != "cancelled"))
            record.review_can_decide = any(review.id not in undecidable for review in current)
            rejected = current.filtered(lambda r: r.state == "rejected")
            record.review_rejection = (
                "\n".join(f"{r.department}: {r.comment or ''}" for r in rejected) if rejected else False
            )
            lines = []
            for rule in rules.get(record, []):
                reasons = rule._reasons(facts[record.id])
                lines.append(f"{rule.department}: {'; '.join(reasons)}")
            record.review_requirement = "\n".join(lines) or False

    # ------------------------------------------------------------------
    # Request
    # ------------------------------------------------------------------
    def action_request_review(self):
        """Open a round of reviews for the rules that apply to these records (RPC as the button)."""
        self.check_access("write")
        raise_if_any(
            self.filtered(lambda r: not r._review_is_open()),
            lambda documents: self.env._(
                "%(documents)s: only documents that are still open can be sent for review.",
                documents=documents,
            ),
        )
        raise_if_any(
            self.filtered(lambda r: r.review_state in ("pending", "approved")),
            lambda documents: self.env._(
                "%(documents)s: the review was already requested. Change the document to request it again.",
                documents=documents,
            ),
        )
        requested = self._review_request()
        if not requested:
            raise UserError(
                self.env._(
                    "%(documents)s: no review rule applies; go on without a review.",
                    documents=", ".join(self.mapped("display_name")),
                )
            )
        return True

    def _review_request(self, extra=None):
        """Open a new round of reviews for these records.

        :param extra: {record id: [(group, step, reasons)]} reviews to add to the rules' ones; the
            reasons as data (see ``fulfilment.review.rule._reason_items``), or one text as is
        :return: the records for which reviews were created
        """
        extra = extra or {}
        rule_model = self.env["fulfilment.review.rule"]
        rules_by_record, facts = rule_model._rules_and_facts(self, self._review_applies_to)
        now = fields.Datetime.now()
        Review = self.env["fulfilment.review"].sudo()
        to_cancel = Review
        values = []
        requested = self.browse()
        for record in self:
            specs = [
                (rule.group_id, rule.sequence, rule, rule._reason_items(facts[record.id]))
                for rule in rules_by_record.get(record, [])
            ]
            specs += [
                (
                    group,
                    step,
                    rule_model,
                    [["text", {"text": reasons}]] if isinstance(reasons, str) else reasons,
                )
                for group, step, reasons in extra.get(record.id, [])
            ]
            if not specs:
                continue
            requested |= record
            to_cancel |= record.review_ids.filtered(lambda r: r.state in ("waiting", "pending", "approved"))
            for group, step, rule, reasons in specs:
                values.append(record._review_values(group, step, rule, reasons, record.review_round + 1, now))
        if not requested:
            return requested
        if to_cancel:
            to_cancel._remove_activities()
            to_cancel.write({"state": "cancelled"})
        for round_, records in requested.grouped(lambda r: r.review_round + 1).items():
            records.sudo().write(
                {
                    "review_round": round_,
                    "review_requested_by_id": self.env.uid,
                    "review_requested_date": now,
                }
            )
        reviews = Review.create(values)
        first_steps = reviews.browse()
        for record in requested:
            record_reviews = reviews.filtered(lambda r, record=record: r.res_id == record.id)
            lowest = min(record_reviews.mapped("sequence"))
            first_steps |= record_reviews.filtered(lambda r, lowest=lowest: r.sequence == lowest)
        first_steps._open(now)
        for record in requested:
            record_reviews = reviews.filtered(lambda r, record=record: r.res_id == record.id)
            record._review_post(lambda env: env._("Review requested."), record_reviews.sorted("sequence"))
        requested._review_recompute_state()
        return requested

    def _review_values(self, group, step, rule, reasons, round_, now):
        """The values of a new (waiting) review of this record (one)."""
        self.ensure_one()
        return {
            "res_model": self._name,
            "res_id": self.id,
            "order_id": self._review_order().id,
            "company_id": self.company_id.id,
            "rule_id": rule.id,
            "group_id": group.id,
            "sequence": step,
            "state": "waiting",
            "round": round_,
            "reason_data": reasons,
            "requested_by_id": self.env.uid,
            "request_date": now,
        }

    def _review_post(self, title, reviews=None, comment=None):
        """Log a review event in the chatter, with a line per review, in the language of an
        internal note (``mail.thread._fulfilment_post``).

        :param title: function(env) returning the title, written with ``env._``
        """
        self.ensure_one()
        if not hasattr(self, "_fulfilment_post"):
            return

        def body(record):
            env = record.env
            html = Markup("<p>%s</p>") % title(env)
            if reviews:
                items = Markup("").join(
                    Markup("<li>%s</li>")
                    % env._(
                        "Step %(step)s: %(department)s (%(reason)s)",
                        step=review.sequence,
                        department=review.department,
                        reason=review.reason or "",
                    )
                    for review in reviews.with_context(lang=env.lang)
                )
                html += Markup("<ul>%s</ul>") % items
            if comment:
                html += Markup("<p><i>%s</i></p>") % comment
            return html

        self._fulfilment_post(body)

    # ------------------------------------------------------------------
    # Decisions from the reviewed record
    # ------------------------------------------------------------------
    def _review_decidable(self):
        """The current user's reviews to decide on these records; refused when there is none."""
        reviews = self.env["fulfilment.review"].union(*(record._review_current() for record in self))
        reviews = reviews.filtered("can_decide")
        if not reviews:
            raise UserError(
                self.env._(
                    "%(documents)s: you have no review to decide. Reviews are decided by members of their "
                    "department, other than the salesperson and the requester.",
                    documents=", ".join(self.mapped("display_name")),
                )
            )
        return reviews

    def action_review_approve(self):
        """Approve the current user's pending reviews of these records."""
        self._review_decidable().action_approve()
        return True

    def action_review_reject(self):
        """Open the rejection dialog for the current user's pending reviews of these records."""
        return self._review_decidable()._reject_dialog()

    def _review_cancel(self):
        """Cancel the reviews still open of these records (the record itself was cancelled)."""
        reviews = self.env["fulfilment.review"].union(*(record._review_current() for record in self))
        reviews = reviews.filtered(lambda r: r.state in OPEN_REVIEW_STATES)
        if reviews:
            reviews._remove_activities()
            reviews.sudo().write({"state": "cancelled"})
        self._review_recompute_state()

    # ------------------------------------------------------------------
    # After a decision
    # ------------------------------------------------------------------
    def _review_after_decision(self, reviews, decision):
        approved_records = self.browse()
        rejected_records = self.browse()
        to_open = self.env["fulfilment.review"]
        to_cancel = self.env["fulfilment.review"]
        for record in self:
            record_reviews = reviews.filtered(lambda r, record=record: r.res_id == record.id)
            current = record._review_current()
            for review in record_reviews:
                record._review_post(
                    lambda env, review=review: review.with_env(env)._review_decision_title(decision),
                    comment=review.comment,
                )
            if decision == "rejected":
                to_cancel |= current.filtered(lambda r: r.state in OPEN_REVIEW_STATES)
                rejected_records |= record
                continue
            if current.filtered(lambda r: r.state == "pending"):
                continue
            waiting = current.filtered(lambda r: r.state == "waiting")
            if waiting:
                step = min(waiting.mapped("sequence"))
                to_open |= waiting.filtered(lambda r, step=step: r.sequence == step)
            else:
                approved_records |= record
        if to_cancel:
            to_cancel._remove_activities()
            to_cancel.sudo().write({"state": "cancelled"})
        if to_open:
            to_open._open()
        self._review_recompute_state()
        for record in approved_records:
            record._review_post(lambda env: env._("All reviews are approved."))
        if approved_records:
            approved_records._review_on_approved()
        if rejected_records:
            rejected_records._review_on_rejected()

    # ------------------------------------------------------------------
    # Invalidation and gate
    # ------------------------------------------------------------------
    def _review_invalidate(self, reason):
        """Cancel the open and approved reviews of the current round, after a change.

        :param reason: function(env) returning what changed, written with ``env._``
        """
        reviews = self.env["fulfilment.review"]
        for record in self:
            reviews |= record._review_current().filtered(
                lambda r: r.state in ("waiting", "pending", "approved")
            )
        if not reviews:
            return
        reviews._remove_activities()
        reviews.sudo().write({"state": "cancelled"})
        records = self.filtered(lambda r: r.id in reviews.mapped("res_id"))
        for record in records:
            record._review_post(
                lambda env: env._(
                    "Reviews cancelled: %(reason)s. Request the review again.", reason=reason(env)
                )
            )
        records._review_recompute_state()

    def _review_blocking_message(self):
        """A message listing the missing sign-offs, or False when these records may proceed."""
        live = self._review_live_state()
        problems = []
        for record in self:
            state, rules = live[record]
            if state in ("none", "approved"):
                continue
            if state == "draft":
                detail = self.env._(
                    "needs a review by %(departments)s; request it first",
                    departments=", ".join(dict.fromkeys(rules.mapped("department"))),
                )
            else:
                current = record._review_current()
                missing = current.filtered(lambda r: r.state != "approved")
                labels = dict(self.env["fulfilment.review"]._fields["state"]._description_selection(self.env))
                detail = ", ".join(f"{r.department} ({labels[r.state]})" for r in missing)
                detail = (
                    self.env._(
                        "was rejected: %(reviews)s; change it and request the review again", reviews=detail
                    )
                    if state == "rejected"
                    else self.env._("is waiting for %(reviews)s", reviews=detail)
                )
            problems.append(f"{record.display_name} {detail}")
        return "\n".join(problems) or False

    def _review_check_gate(self):
        message = self._review_blocking_message()
        if message:
            raise UserError(self.env._("Missing review sign-offs:\n%(problems)s", problems=message))

    def _review_check_closed(self):
        """Records that enter a gated state without having been open for review (cancelled ones
        written back, records created in that state) are refused when a review rule applies."""
        closed = self.filtered(lambda r: not r._review_is_open())
        if not closed:
            return
        rules = self.env["fulfilment.review.rule"]._rules_for(closed, self._review_applies_to)
        blocked = closed.filtered(lambda r: r in rules)
        if blocked:
            raise UserError(
                self._review_closed_message(
                    blocked, self.env["fulfilment.review.rule"].union(*rules.values())
                )
            )

    def _review_closed_message(self, blocked, rules):
        return self.env._(
            "%(documents)s needs a review by %(departments)s first. Set it back to an open state, "
            "request the review, then go on.",
            documents=", ".join(blocked.mapped("display_name")),
            departments=", ".join(dict.fromkeys(rules.mapped("department"))),
        )

    # ------------------------------------------------------------------
    # Writes: the gate and the invalidation hold for any client
    # ------------------------------------------------------------------
    def write(self, vals):
        if "review_state" in vals or ("review_round" in vals and not self.env.su):
            raise UserError(self.env._("The review status follows the reviews; it cannot be written."))
        state = vals.get(self._review_state_field)
        if state and state in self._review_gate_states:
            entering = self.filtered(lambda r: r[self._review_state_field] not in self._review_gate_states)
            entering._review_check_closed()
            entering._review_check_gate()
        watched = (
            self._review_under_review() if set(vals) & set(self._review_watched_fields) else self.browse()
        )
        if not watched:
            return super().write(vals)
        before = watched._review_capture()
        # The lines written through this write leave the reconciliation to it.
        result = super(FulfilmentReviewMixin, self.with_context(fulfilment_review_parent_watches=True)).write(
            vals
        )
        watched._review_reconcile(before)
        return result

    @api.model_create_multi
    def create(self, vals_list):
        # The review status follows the reviews, and no record is born past its gate.
        if not self.env.su:
            if any("review_state" in vals or "review_round" in vals for vals in vals_list):
                raise UserError(self.env._("The review status follows the reviews; it cannot be written."))
            context = {
                key: value
                for key, value in self.env.context.items()
                if key not in ("default_review_state", "default_review_round")
            }
            self = self.with_context(context)  # noqa: PLW0642  # pylint: disable=context-overridden
        records = super().create(vals_list)
        if self._review_gate_states:
            records.filtered(
                lambda r: r[self._review_state_field] in self._review_gate_states
            )._review_check_closed()
        return records
