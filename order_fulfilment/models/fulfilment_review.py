from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from ..tools.escalation import escalate_once
from ..tools.translations import set_translations

REVIEW_STATES = [
    ("waiting", "Waiting"),
    ("pending", "To Review"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]


class FulfilmentReview(models.Model):
    """One sign-off of one department on one record of a model that uses the review engine
    (``fulfilment.review.mixin``): a quotation, a change request...

    Reviews are created and changed only through the methods of this model and of
    `fulfilment.review.mixin`; users may only write their comment on a review they can decide.
    """

    _name = "fulfilment.review"
    _description = "Review Sign-off"
    _order = "order_id desc, sequence, id"
    _rec_name = "department"

    res_model = fields.Char(string="Reviewed Model", required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference(
        string="Reviewed Record", model_field="res_model", required=True, readonly=True, index=True
    )
    order_id = fields.Many2one(
        "sale.order",
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The sale order the reviewed record belongs to, if any.",
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, readonly=True, index=True
    )
    rule_id = fields.Many2one("fulfilment.review.rule", readonly=True, ondelete="set null")
    group_id = fields.Many2one("res.groups", string="Reviewer Group", required=True, readonly=True)
    department = fields.Char(
        compute="_compute_department",
        store=True,
        translate=True,
        help="The department that signs: the label of the rule, or the name of the group.",
    )
    sequence = fields.Integer(string="Step", readonly=True)
    round = fields.Integer(readonly=True, help="Each request of a review opens a new round.")
    state = fields.Selection(REVIEW_STATES, default="waiting", required=True, readonly=True, index=True)
    reason_data = fields.Json(
        readonly=True,
        help="Why this review is required, as data, shown in the language of the reader.",
    )
    reason = fields.Text(compute="_compute_reason", help="Why this review is required.")
    requested_by_id = fields.Many2one("res.users", readonly=True)
    request_date = fields.Datetime(readonly=True)
    deadline = fields.Datetime(readonly=True, index=True)
    reviewer_id = fields.Many2one("res.users", readonly=True)
    on_behalf_of_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="The absent reviewer, when their substitute decided.",
    )
    decision_date = fields.Datetime(readonly=True)
    comment = fields.Text()
    # Several approvers (审批人): the sign-off is approved when the last one needed approves.
    min_approvers = fields.Integer(
        string="Approvers Needed",
        default=1,
        readonly=True,
        help="How many different members of the department must approve: the rule's number when the "
        "review was requested.",
    )
    approval_count = fields.Integer(string="Approvals", default=0, readonly=True)
    approval_ids = fields.One2many(
        "fulfilment.review.approval", "review_id", string="Approval Log", readonly=True
    )
    approver_ids = fields.Many2many(
        "res.users",
        "fulfilment_review_approver_rel",
        "review_id",
        "user_id",
        string="Approvers",
        compute="_compute_approver_ids",
        store=True,
        help="Everyone who approved this sign-off.",
    )
    approval_progress = fields.Char(string="Approved", compute="_compute_approval_progress")
    signed_by = fields.Text(
        compute="_compute_signed_by", help="Who decided, and for whom when a substitute decided."
    )
    # Forwarding (转交): named users who may decide this review besides its department.
    forward_user_ids = fields.Many2many(
        "res.users",
        "fulfilment_review_forward_user_rel",
        "review_id",
        "user_id",
        string="Forwarded To",
        readonly=True,
        help="Users this review was forwarded to: they may decide it, even outside the department.",
    )
    forwarded = fields.Boolean(compute="_compute_forwarded", store=True)
    substitute_user_ids = fields.Many2many(
        "res.users",
        string="Substitutes",
        compute="_compute_substitute_user_ids",
        search="_search_substitute_user_ids",
        help="Who stands in now for a member of the department or a user the review was forwarded to.",
    )
    can_forward = fields.Boolean(compute="_compute_can_forward")
    escalated = fields.Boolean(readonly=True, copy=False)
    can_decide = fields.Boolean(compute="_compute_can_decide", search="_search_can_decide")
    cannot_decide_reason = fields.Text(
        string="Why Not Yours",
        compute="_compute_can_decide",
        help="Why you cannot approve or reject this review.",
    )
    is_overdue = fields.Boolean(string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue")
    record_name = fields.Char(string="Document", compute="_compute_record_name")

    # ------------------------------------------------------------------
    # Computed
    # ------------------------------------------------------------------
    @api.depends("rule_id.department_label", "group_id.name")
    def _compute_department(self):
        set_translations(
            self, "department", lambda review: review.rule_id.department_label or review.group_id.name
        )

    @api.depends("reason_data")
    @api.depends_context("lang")
    def _compute_reason(self):
        reasons = self.env["fulfilment.review.rule"]._render_reason_lists(self.mapped("reason_data"))
        for review, texts in zip(self, reasons, strict=True):
            review.reason = "; ".join(texts) or False

    @api.depends("res_model", "res_id")
    def _compute_company_id(self):
        for model, records in self._reviewed_records().items():
            companies = {record.id: record.company_id for record in records.sudo()}
            for review in self.filtered(lambda r, model=model: r.res_model == model):
                review.company_id = companies.get(review.res_id, False)

    @api.depends("approval_ids.user_id")
    def _compute_approver_ids(self):
        for review in self:
            review.approver_ids = review.approval_ids.user_id

    @api.depends("approval_count", "min_approvers")
    def _compute_approval_progress(self):
        for review in self:
            review.approval_progress = self.env._(
                "%(count)s of %(required)s", count=review.approval_count, required=review.min_approvers or 1
            )

    @api.depends("state", "reviewer_id", "on_behalf_of_id", "approval_ids")
    @api.depends_context("lang")
    def _compute_signed_by(self):
        for review in self:
            lines = review.approval_ids.mapped("approved_by")
            if review.state == "rejected" and review.reviewer_id:
                rejected = self._signer_label(review.reviewer_id, review.on_behalf_of_id)
                if lines:
                    lines = [
                        self.env._("Rejected: %(signer)s", signer=rejected),
                        self.env._("Approved before: %(signers)s", signers=", ".join(lines)),
                    ]
                else:
                    lines = [rejected]
            elif not lines and review.reviewer_id:
                lines = [self._signer_label(review.reviewer_id, review.on_behalf_of_id)]
            review.signed_by = "\n".join(lines) or False

    @api.model
    def _signer_label(self, user, on_behalf_of=None):
        """ "Ann", or "Ann for Bob" when Ann decided as Bob's substitute."""
        if on_behalf_of:
            return self.env._(
                "%(user)s for %(absent)s", user=user.sudo().name, absent=on_behalf_of.sudo().name
            )
        return user.sudo().name

    @api.depends("forward_user_ids")
    def _compute_forwarded(self):
        for review in self:
            review.forwarded = bool(review.forward_user_ids)

    @api.depends("group_id", "company_id", "forward_user_ids")
    def _compute_substitute_user_ids(self):
        # Also invalidated by every change of a delegation; evaluated in Python by the record
        # rules' check of a record (the search gives the same reviews in SQL).
        substitutes = self.env["fulfilment.review.delegation"]._substitutes()
        for review in self:
            people = review.sudo().group_id.users | review.sudo().forward_user_ids
            review.substitute_user_ids = self.env["res.users"].browse(
                sorted(
                    {
                        substitutes[person.id, review.company_id.id]
                        for person in people
                        if (person.id, review.company_id.id) in substitutes
                    }
                )
            )

    def _search_substitute_user_ids(self, operator, value):
        """The reviews that the given users may decide as substitutes, now (record rules)."""
        if operator not in ("in", "="):
            raise UserError(self.env._("Unsupported search on 'Substitutes'."))
        user_ids = [value] if isinstance(value, int) else list(value or ())
        domains = [
            self._reach_domain(self.env["res.users"].browse(user_id), own=False)
            for user_id in user_ids
            if isinstance(user_id, int)
        ]
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    @api.depends(
        "state",
        "group_id",
        "rule_id.allow_self_review",
        "requested_by_id",
        "forward_user_ids",
        "approval_count",
        "min_approvers",
    )
    @api.depends_context("uid")
    def _compute_can_decide(self):
        reasons = self._cannot_decide_reasons(self.env.user)
        for review in self:
            reason = reasons.get(review.id)
            review.can_decide = not reason
            review.cannot_decide_reason = reason or False

    @api.depends("can_decide", "rule_id.allow_forward")
    @api.depends_context("uid")
    def _compute_can_forward(self):
        for review in self:
            review.can_forward = review.can_decide and (not review.rule_id or review.rule_id.allow_forward)

    def _search_can_decide(self, operator, value):
        """The reviews whose ``can_decide`` is True for the current user: the pending reviews in
        the user's reach (their departments, the reviews forwarded to them, those of the people
        they stand in for), less those ``_decision_rights`` refuses (same rules as the compute)."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'Can Decide'."))
        user = self.env.user
        candidates = self.sudo().search([("state", "=", "pending")] + self._reach_domain(user))
        acting, _refusals = candidates._decision_rights(user)
        ids = [review_id for review_id in candidates.ids if review_id in acting]
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", ids)]

    @api.model
    def _reach_domain(self, user, own=True):
        """The reviews ``user`` may look at deciding: those of their departments and forwarded to
        them (``own``), and those of the users they stand in for now, in the delegation's company."""
        domains = []
        if own:
            domains += [[("group_id", "in", user.groups_id.ids)], [("forward_user_ids", "in", user.ids)]]
        for company_id, absent in self.env["fulfilment.review.delegation"]._absent_users(user).items():
            domains.append(
                [
                    ("company_id", "=", company_id),
                    "|",
                    ("group_id", "in", absent.sudo().groups_id.ids),
                    ("forward_user_ids", "in", absent.ids),
                ]
            )
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    def _decision_rights(self, user):
        """Who ``user`` would decide these reviews as, and why not, for a constant number of
        queries whatever the number of reviews.

        A pending review is in the user's reach when its department is theirs, it was forwarded
        to them, or they stand in now for someone of whom that is true (in the review's company).
        The self-review ban covers the requester, the users the record names, and whoever stands
        in for one of them; nobody approves a sign-off twice, in person or through a substitute.

        :return: ({review id: the absent user decided for, or no user}, {review id: (why not, the
            absent users concerned)}): the refusals are ``waiting``, ``closed``, ``outside``,
            ``self``, ``for_self`` and ``approved``
        """
        reviews = self.sudo()
        no_user = self.env["res.users"]
        user_groups = user.groups_id
        standing_in = self.env["fulfilment.review.delegation"]._absent_users(user)
        pending = reviews.filtered(lambda r: r.state == "pending")
        forwards = {review.id: review.forward_user_ids for review in pending.filtered("forwarded")}
        reach = {}
        for review in pending:
            forwarded_to = forwards.get(review.id, no_user)
            own = review.group_id in user_groups or user in forwarded_to
            via = standing_in.get(review.company_id.id, no_user).filtered(
                lambda absent, review=review, forwarded_to=forwarded_to: (
                    review.group_id in absent.groups_id or absent in forwarded_to
                )
            )
            if own or via:
                reach[review.id] = (own, via)
        in_reach = pending.filtered(lambda r: r.id in reach)
        banned = in_reach.filtered(lambda r: not r.rule_id.allow_self_review)._self_review_banned_users()
        approved = in_reach._approved_people()
        acting, refusals = {}, {}
        for review in reviews:
            if review.state == "waiting":
                refusals[review.id] = ("waiting", no_user)
            elif review.state != "pending":
                refusals[review.id] = ("closed", no_user)
            elif review.id not in reach:
                refusals[review.id] = ("outside", no_user)
            else:
                own, via = reach[review.id]
                direct, stood_in_for = banned.get(review.id, (no_user, {}))
                done = approved.get(review.id, no_user)
                if user in direct:
                    refusals[review.id] = ("self", no_user)
                elif user.id in stood_in_for:
                    refusals[review.id] = ("for_self", stood_in_for[user.id])
                elif user in done:
                    refusals[review.id] = ("approved", user)
                elif own:
                    acting[review.id] = no_user
                elif via - done:
                    acting[review.id] = (via - done)[:1]
                else:
                    refusals[review.id] = ("approved", via)
        return acting, refusals

    def _cannot_decide_reasons(self, user):
        """{review id: why ``user`` cannot approve or reject it}; the reviews not in the result
        are the ones the user can decide. A constant number of queries for any number of reviews."""
        _acting, refusals = self._decision_rights(user)
        states = dict(self._fields["state"]._description_selection(self.env))
        reasons = {}
        for review in self.sudo().filtered(lambda r: r.id in refusals):
            code, people = refusals[review.id]
            if code == "waiting":
                reasons[review.id] = self.env._(
                    "Step %(step)s opens once the reviews of the earlier steps are approved.",
                    step=review.sequence,
                )
            elif code == "closed":
                reasons[review.id] = self.env._(
                    "This review is %(state)s: there is nothing left to decide.",
                    state=states[review.state],
                )
            elif code == "outside":
                reasons[review.id] = self.env._(
                    "Only members of %(group)s can decide this review.", group=review.group_id.full_name
                )
            elif code == "self":
                reasons[review.id] = self.env._(
                    "You requested this document or are its salesperson: another member of %(group)s "
                    "must sign this review.",
                    group=review.department,
                )
            elif code == "for_self":
                reasons[review.id] = self.env._(
                    "You stand in for %(users)s, who requested this document or is its salesperson: "
                    "another member of %(group)s must sign this review.",
                    users=", ".join(people.mapped("name")),
                    group=review.department,
                )
            else:
                reasons[review.id] = self.env._(
                    "%(users)s already approved this review: it needs %(count)s more approver(s) of "
                    "%(group)s.",
                    users=", ".join(people.mapped("name")),
                    count=max(review.min_approvers - review.approval_count, 1),
                    group=review.department,
                )
        return reasons

    @api.depends("deadline", "state")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for review in self:
            review.is_overdue = review.state == "pending" and review.deadline and review.deadline < now

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'Overdue'."))
        domain = [("state", "=", "pending"), ("deadline", "<", fields.Datetime.now())]
        positive = (operator == "=") == value
        return domain if positive else expression.distribute_not(["!"] + domain)

    def _compute_record_name(self):
        for review in self:
            record = review._reviewed_record()
            review.record_name = record.sudo().display_name if record else False

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _reviewed_record(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return None
        return self.env[self.res_model].browse(self.res_id).exists()

    def _reviewed_records(self):
        """{model name: records} of the reviews in self (models still installed)."""
        ids_by_model = {}
        for review in self:
            if review.res_model in self.env:
                ids_by_model.setdefault(review.res_model, set()).add(review.res_id)
        return {model: self.env[model].browse(sorted(ids)) for model, ids in ids_by_model.items()}

    def _self_review_users(self):
        """{review id: the users who may not sign it unless its rule allows it}: its requester
        and the users the reviewed record names (``_review_self_review_users``)."""
        by_record = {}
        for model, records in self.sudo()._reviewed_records().items():
            for record_id, users in records.exists()._review_self_review_users().items():
                by_record[model, record_id] = users
        return {
            review.id: review.requested_by_id
            | by_record.get((review.res_model, review.res_id), review.requested_by_id)
            for review in self.sudo()
        }

    def _self_review_banned_users(self):
        """{review id: (the users who may not sign it, {substitute id: the banned users they
        stand in for now})}: the self-review ban covers the substitutes of the banned users too."""
        users = self._self_review_users()
        substitutes = self.env["fulfilment.review.delegation"]._substitutes()
        result = {}
        for review in self.sudo():
            stood_in_for = {}
            for banned in users[review.id]:
                substitute_id = substitutes.get((banned.id, review.company_id.id))
                if substitute_id:
                    stood_in_for[substitute_id] = stood_in_for.get(substitute_id, banned.browse()) | banned
            result[review.id] = (users[review.id], stood_in_for)
        return result

    def _self_review_refused(self, user):
        """The order's salesperson and the requester may not sign, unless the rule allows it."""
        self.ensure_one()
        return self.id in self._self_review_refused_ids(user)

    def _self_review_refused_ids(self, user):
        """Ids of the reviews in self that ``user`` may not sign (``_self_review_users`` and
        their substitutes) when their rule does not allow self-review. Reads every review at once."""
        refused = self.sudo().filtered(lambda r: not r.rule_id.allow_self_review)
        banned = refused._self_review_banned_users()
        return {
            review_id
            for review_id, (users, stood_in_for) in banned.items()
            if user in users or user.id in stood_in_for
        }

    def _approved_people(self):
        """{review id: the users who approved it, in person or through their substitute}."""
        started = self.filtered(lambda r: r.approval_count)
        if not started:
            return {}
        result = {}
        rows = (
            self.env["fulfilment.review.approval"]
            .sudo()
            .search_read(
                [("review_id", "in", started.ids)], ["review_id", "user_id", "on_behalf_of_id"], load=None
            )
        )
        for row in rows:
            people = result.setdefault(row["review_id"], set())
            people.add(row["user_id"])
            if row["on_behalf_of_id"]:
                people.add(row["on_behalf_of_id"])
        return {review_id: self.env["res.users"].browse(sorted(ids)) for review_id, ids in result.items()}

    def _check_can_decide(self):
        """Refuse unless the current user may decide every review in self; several refused reviews
        are listed at once (a decision on a selection).

        :return: {review id: the absent user decided for, or no user}
        """
        acting, refusals = self._decision_rights(self.env.user)
        refused = self.filtered(lambda r: r.id in refusals)
        if not refused:
            return acting
        if len(refused) > 1:
            reasons = self._cannot_decide_reasons(self.env.user)
            lines = "\n".join(
                self.env._(
                    "%(document)s, %(group)s: %(reason)s",
                    document=review.record_name,
                    group=review.department,
                    reason=reasons[review.id],
                )
                for review in refused
            )
            error = AccessError if any(refusals[r.id][0] == "outside" for r in refused) else UserError
            raise error(
                self.env._(
                    "You cannot decide %(count)s of the selected reviews; leave them out and try again:\n"
                    "%(reviews)s",
                    count=len(refused),
                    reviews=lines,
                )
            )
        review = refused
        code, people = refusals[review.id]
        if code == "outside":
            raise AccessError(
                self.env._(
                    "Only members of %(group)s can decide the review of %(document)s.",
                    group=review.department,
                    document=review.record_name,
                )
            )
        if code == "self":
            raise UserError(
                self.env._(
                    "You requested %(document)s or are its salesperson, so you cannot sign its "
                    "%(group)s review. Ask another member of the department.",
                    document=review.record_name,
                    group=review.department,
                )
            )
        if code == "for_self":
            raise UserError(
                self.env._(
                    "You stand in for %(users)s, who requested %(document)s or is its salesperson, so you "
                    "cannot sign its %(group)s review. Ask another member of the department.",
                    users=", ".join(people.mapped("name")),
                    document=review.record_name,
                    group=review.department,
                )
            )
        if code == "approved":
            raise UserError(
                self.env._(
                    "%(users)s already approved the %(group)s review of %(document)s: the same person "
                    "cannot approve twice. It waits for another approver.",
                    users=", ".join(people.mapped("name")),
                    group=review.department,
                    document=review.record_name,
                )
            )
        raise UserError(self._cannot_decide_reasons(self.env.user)[review.id])

    def _lock_reviews(self):
        """Lock every review of the same records, so that concurrent decisions on one record
        are serialised: the second waits, then sees the first one's outcome."""
        if not self:
            return
        self.flush_model(["state", "res_model", "res_id"])
        self.env.cr.execute(
            """
            SELECT id FROM fulfilment_review
             WHERE (res_model, res_id) IN (SELECT res_model, res_id FROM fulfilment_review WHERE id IN %s)
               AND state IN ('waiting', 'pending')
             ORDER BY id
               FOR UPDATE
            """,
            [tuple(self.ids)],
            log_exceptions=False,  # a lock conflict is retried by Odoo, not an error to log
        )
        self.invalidate_model(
            [
                "state",
                "reviewer_id",
                "on_behalf_of_id",
                "decision_date",
                "comment",
                "approval_count",
                "approval_ids",
                "approver_ids",
                "forward_user_ids",
                "forwarded",
            ]
        )
        self.env["fulfilment.review.approval"].invalidate_model()

    # ------------------------------------------------------------------
    # Decisions
    # ------------------------------------------------------------------
    def action_approve(self):
        self._decide("approved")
        return True

    def action_reject(self, comment=None):
        if comment is not None and (not isinstance(comment, str) or not comment.strip()):
            raise UserError(self.env._("Write why you reject the review before rejecting it."))
        self._decide("rejected", comment=comment)
        return True

    def _check_pending(self):
        """Refuse when a review of self is no longer waiting for a decision (all of them named)."""
        closed = self.filtered(lambda r: r.state != "pending")
        if not closed:
            return
        labels = dict(self._fields["state"]._description_selection(self.env))
        if len(closed) == 1:
            raise UserError(
                self.env._(
                    "The %(group)s review of %(document)s is %(state)s: only reviews waiting for a "
                    "decision can be approved or rejected.",
                    group=closed.department,
                    document=closed.record_name,
                    state=labels[closed.state],
                )
            )
        raise UserError(
            self.env._(
                "Some of the selected reviews are no longer waiting: only reviews waiting for a decision "
                "can be approved, rejected or forwarded. Leave these out:\n%(reviews)s",
                reviews="\n".join(
                    f"{review.record_name}, {review.department}: {labels[review.state]}" for review in closed
                ),
            )
        )

    def _decide(self, decision, comment=None):
        if not self:
            return
        # The rows are locked, and every decision writes them (the approval count too): a
        # concurrent decision on the same record waits, then is retried on what this one did.
        self._lock_reviews()
        self._check_pending()
        acting = self._check_can_decide()
        comment = comment.strip() if comment else None
        if decision == "rejected":
            missing = self.filtered(lambda r: not (comment or (r.comment or "").strip()))
            if missing:
                raise UserError(
                    self.env._(
                        "Write why you reject the %(group)s review of %(document)s in its comment.",
                        group=missing[0].department,
                        document=missing[0].record_name,
                    )
                )
        user = self.env.user
        now = fields.Datetime.now()
        if decision == "rejected":
            decided = self
            groups = self.grouped(lambda r: (acting[r.id], True, r.approval_count))
        else:
            self.env["fulfilment.review.approval"].sudo().create(
                [
                    {
                        "review_id": review.id,
                        "user_id": user.id,
                        "on_behalf_of_id": acting[review.id].id,
                        "date": now,
                        "comment": comment or review.comment,
                    }
                    for review in self
                ]
            )
            decided = self.filtered(lambda r: r.approval_count + 1 >= (r.min_approvers or 1))
            groups = self.grouped(lambda r: (acting[r.id], r in decided, r.approval_count + 1))
        for (on_behalf_of, final, count), reviews in groups.items():
            values = {"approval_count": count}
            if comment:
                values["comment"] = comment
            if final:
                values.update(
                    state=decision,
                    reviewer_id=user.id,
                    on_behalf_of_id=on_behalf_of.id,
                    decision_date=now,
                )
            reviews.sudo().write(values)
        decided._remove_activities()
        partial = self - decided
        if partial:
            # This approver's to-dos are done; the other approvers' stay.
            people = user | self.env["res.users"].union(*(acting[r.id] for r in partial))
            partial._remove_activities(people)
            partial._post_partial_approval(acting)
        for model, records in decided._reviewed_records().items():
            reviews = decided.filtered(lambda r, model=model: r.res_model == model)
            records.sudo()._review_after_decision(reviews.sudo(), decision)

    def _post_partial_approval(self, acting):
        for review in self:
            record = review._reviewed_record()
            if not record:
                continue
            record.sudo()._review_post(
                lambda env, review=review: env._(
                    "%(department)s: approved by %(signer)s, %(count)s of %(required)s approvers. It waits "
                    "for another approver.",
                    department=review.with_env(env).department,
                    signer=review.with_env(env)._signer_label(env.user, acting[review.id]),
                    count=review.approval_count,
                    required=review.min_approvers,
                ),
                comment=review.comment,
            )

    def _review_decision_title(self, decision):
        """What the chatter says of the decision of this review (one), in self's language."""
        self.ensure_one()
        if decision == "approved":
            if not self.on_behalf_of_id and len(self.approval_ids) <= 1:
                return self.env._("%(department)s approved.", department=self.department)
            signers = self.approval_ids.mapped("approved_by") or [
                self._signer_label(self.reviewer_id, self.on_behalf_of_id)
            ]
            return self.env._(
                "%(department)s approved by %(signers)s.",
                department=self.department,
                signers=", ".join(signers),
            )
        if not self.on_behalf_of_id:
            return self.env._("%(department)s rejected.", department=self.department)
        return self.env._(
            "%(department)s rejected by %(signer)s.",
            department=self.department,
            signer=self._signer_label(self.reviewer_id, self.on_behalf_of_id),
        )

    # ------------------------------------------------------------------
    # Forwarding (转交)
    # ------------------------------------------------------------------
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
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Forward Review"),
            "res_model": "fulfilment.review.forward",
            "view_mode": "form",
            "target": "new",
            "context": {"default_review_ids": self.ids},
        }

    def action_open_reject_wizard(self):
        """The dialog that rejects the selected reviews with one reason."""
        self._check_pending()
        self._check_can_decide()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Review"),
            "res_model": "fulfilment.review.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_review_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # Steps, activities, escalation
    # ------------------------------------------------------------------
    def _open(self, now=None):
        """Make these waiting reviews pending: set their deadline and notify the reviewers."""
        now = now or fields.Datetime.now()
        for hours, reviews in self.grouped(lambda r: r.rule_id.response_hours or 24.0).items():
            reviews.sudo().write({"state": "pending", "deadline": now + timedelta(hours=hours)})
        self._create_activities()

    def _recipients(self, users_by_review=None):
        """{review id: {user: the absent user they stand in for, or an empty recordset}}: who is
        told that each review waits for them: the members of its department and the users it
        was forwarded to (or the users of ``users_by_review``: {review id: users}) who may sign
        it, working for its company; an absent user's substitute in their place."""
        banned_by_review = self._self_review_banned_users()
        substitutes = self.env["fulfilment.review.delegation"]._substitutes()
        Users = self.env["res.users"].sudo()
        result = {}
        for review in self.sudo():
            company = review.company_id
            refused, stood_in_for = banned_by_review[review.id]
            if review.rule_id.allow_self_review:
                refused, stood_in_for = Users, {}

            def may_sign(user, company=company, refused=refused, stood_in_for=stood_in_for):
                return (
                    not user.share
                    and user.active
                    and company in user.company_ids
                    and user not in refused
                    and user.id not in stood_in_for
                )

            people = (
                review.group_id.users | review.forward_user_ids
                if users_by_review is None
                else users_by_review.get(review.id, Users)
            )
            recipients = {}
            for person in people.filtered(may_sign):
                substitute = Users.browse(substitutes.get((person.id, company.id)))
                if substitute and may_sign(substitute):
                    recipients.setdefault(substitute, person)
                else:
                    recipients.setdefault(person, Users)
            result[review.id] = recipients
        return result

    def _notified_users(self):
        """{review id: res.users} told that the review waits for them (its activities, reminders
        and e-mails): see ``_recipients``."""
        Users = self.env["res.users"].sudo()
        return {review_id: Users.union(*recipients) for review_id, recipients in self._recipients().items()}

    def _create_activities(self, users_by_review=None, note=None):
        """The to-dos of these pending reviews: one per user of ``_recipients``."""
        activity_type = self.env.ref("order_fulfilment.mail_activity_type_review", raise_if_not_found=False)
        if not activity_type:
            return
        model_ids = {model: self.env["ir.model"]._get_id(model) for model in set(self.mapped("res_model"))}
        recipients_by_review = self._recipients(users_by_review)
        values = []
        for review in self:
            record = review._reviewed_record()
            if record is None:
                continue
            for user, absent in recipients_by_review[review.id].items():
                # In the reviewer's language.
                in_lang = review.with_context(lang=user.lang)
                summary = (
                    in_lang.env._(
                        "%(group)s review (for %(user)s)", group=in_lang.department, user=absent.name
                    )
                    if absent
                    else in_lang.env._("%(group)s review", group=in_lang.department)
                )
                values.append(
                    {
                        "activity_type_id": activity_type.id,
                        "res_model_id": model_ids[review.res_model],
                        "res_id": review.res_id,
                        "user_id": user.id,
                        "date_deadline": fields.Date.context_today(review, review.deadline),
                        "summary": summary,
                        "note": note or in_lang.reason,
                        "fulfilment_review_id": review.id,
                    }
                )
        if values:
            self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(values)

    def _remove_activities(self, users=None):
        """Remove the to-dos of these reviews: everyone's, or those of ``users``."""
        domain = [("fulfilment_review_id", "in", self.ids)]
        if users is not None:
            domain.append(("user_id", "in", users.ids))
        activities = self.env["mail.activity"].sudo().search(domain)
        activities.unlink()

    def _escalate_overdue(self, users=None):
        """Run by the automation rule "escalate overdue reviews": ``users`` (default: the
        fulfilment managers) are told once per overdue pending review (``escalate_once``)."""

        def overdue(review):
            return review.env._(
                "The %(group)s review is overdue since %(deadline)s.",
                group=review.department,
                deadline=fields.Datetime.to_string(review.deadline),
            )

        def record_of(review):
            return review._reviewed_record() or False

        escalate_once(
            self,
            "escalated",
            [("state", "=", "pending"), ("deadline", "<", fields.Datetime.now())],
            users if users is not None else self.env.ref("order_fulfilment.group_fulfilment_manager").users,
            overdue,
            lambda review: review.env._("Overdue review: %(group)s", group=review.department),
            activity_on=record_of,
            post_on=lambda review: record_of(review)._review_escalation_threads(),
        )

    # ------------------------------------------------------------------
    # Writes: only the comment, by someone who can decide
    # ------------------------------------------------------------------
    def write(self, vals):
        if not self.env.su:
            if set(vals) - {"comment"}:
                raise AccessError(
                    self.env._(
                        "Reviews change only through Approve and Reject; you can only write a comment."
                    )
                )
            for review in self:
                if review.state != "pending":
                    raise UserError(
                        self.env._(
                            "The %(group)s review of %(document)s is closed; its comment cannot change.",
                            group=review.department,
                            document=review.record_name,
                        )
                    )
            self._check_can_decide()
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Reviews are created by requesting a review on the document."))
        rules = self.env["fulfilment.review.rule"].browse(
            {vals["rule_id"] for vals in vals_list if vals.get("rule_id") and "min_approvers" not in vals}
        )
        approvers = {rule.id: rule.min_approvers for rule in rules.sudo()}
        vals_list = [
            dict(vals, min_approvers=approvers[vals["rule_id"]] or 1)
            if vals.get("rule_id") in approvers and "min_approvers" not in vals
            else vals
            for vals in vals_list
        ]
        return super().create(vals_list)

    def unlink(self):
        if not self.env.su:
            raise AccessError(self.env._("Reviews are kept with the document and cannot be deleted."))
        return super().unlink()

    def action_open_record(self):
        self.ensure_one()
        record = self._reviewed_record()
        if not record:
            raise UserError(self.env._("The document of this review no longer exists."))
        return record._review_open_action()
