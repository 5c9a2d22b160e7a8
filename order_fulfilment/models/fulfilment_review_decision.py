from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class FulfilmentReview(models.Model):
    """Who may decide a review, and the decisions: approve, reject (one review or a selection),
    several approvers per sign-off, and what follows on the reviewed record."""

    _inherit = "fulfilment.review"

    # ------------------------------------------------------------------
    # Who may decide
    # ------------------------------------------------------------------
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
        names = {
            "document": review.record_name,
            "group": review.department,
            "users": ", ".join(people.mapped("name")),
        }
        if code == "outside":
            raise AccessError(
                self.env._("Only members of %(group)s can decide the review of %(document)s.", **names)
            )
        if code == "self":
            message = self.env._(
                "You requested %(document)s or are its salesperson, so you cannot sign its "
                "%(group)s review. Ask another member of the department.",
                **names,
            )
        elif code == "for_self":
            message = self.env._(
                "You stand in for %(users)s, who requested %(document)s or is its salesperson, so you "
                "cannot sign its %(group)s review. Ask another member of the department.",
                **names,
            )
        elif code == "approved":
            message = self.env._(
                "%(users)s already approved the %(group)s review of %(document)s: the same person "
                "cannot approve twice. It waits for another approver.",
                **names,
            )
        else:
            message = self._cannot_decide_reasons(self.env.user)[review.id]
        raise UserError(message)

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
        if decision == "rejected" and not comment:
            for review in self:
                if not (review.comment or "").strip():
                    raise UserError(
                        self.env._(
                            "Write why you reject the %(group)s review of %(document)s in its comment.",
                            group=review.department,
                            document=review.record_name,
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

    def action_open_reject_wizard(self):
        """The dialog that rejects the selected reviews with one reason."""
        self._check_pending()
        self._check_can_decide()
        return self._reject_dialog()

    def _reject_dialog(self):
        """The rejection dialog of these reviews, which the caller checked the user may decide."""
        return self._dialog_action("fulfilment.review.reject", self.env._("Reject Review"))
