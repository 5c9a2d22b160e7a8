from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_datetime

from ..tools.orm import lock_rows

DELEGATION_STATES = [("planned", "Planned"), ("running", "Running"), ("ended", "Ended")]


class FulfilmentReviewDelegation(models.Model):
    """An absence of a reviewer (代理审批): from ``date_from`` to ``date_to`` their substitute may
    decide every review they could decide, and gets the review to-dos instead of them.

    A delegation ends by itself: whether it runs is read from its dates whenever it matters, so
    no scheduled action is needed. Substitutes do not pass a review on (no chains): a substitute
    cannot be away at the same time, and an absent user stands in for nobody.
    """

    _name = "fulfilment.review.delegation"
    _description = "Review Delegation"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    user_id = fields.Many2one(
        "res.users",
        "Absent Reviewer",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        check_company=True,
        domain="[('share', '=', False)]",
        tracking=True,
        help="Who is away. Only they or a fulfilment manager can set their delegations.",
    )
    substitute_id = fields.Many2one(
        "res.users",
        required=True,
        index=True,
        check_company=True,
        domain="[('share', '=', False), ('id', '!=', user_id)]",
        tracking=True,
        help="Who decides the absent reviewer's reviews meanwhile: an active internal user of the company.",
    )
    date_from = fields.Datetime("From", required=True, default=fields.Datetime.now, tracking=True)
    date_to = fields.Datetime("To", required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    note = fields.Text(help="Why, for the substitute (optional).")
    state = fields.Selection(
        DELEGATION_STATES,
        "Status",
        compute="_compute_state",
        search="_search_state",
        help="Whether the delegation runs now: read from its dates, it ends by itself.",
    )

    @api.depends("user_id", "substitute_id")
    def _compute_name(self):
        for delegation in self:
            delegation.name = self.env._(
                "%(user)s to %(substitute)s",
                user=delegation.user_id.name or "",
                substitute=delegation.substitute_id.name or "",
            )

    @api.depends("date_from", "date_to")
    def _compute_state(self):
        now = fields.Datetime.now()
        for delegation in self:
            if delegation.date_from and delegation.date_from > now:
                delegation.state = "planned"
            elif delegation.date_to and delegation.date_to <= now:
                delegation.state = "ended"
            else:
                delegation.state = "running"

    def _search_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Unsupported search on the status of a delegation."))
        values = {value} if isinstance(value, str) else set(value or ())
        if operator in ("!=", "not in"):
            values = {key for key, _label in DELEGATION_STATES} - values
        now = fields.Datetime.now()
        domains = {
            "planned": [("date_from", ">", now)],
            "running": [("date_from", "<=", now), ("date_to", ">", now)],
            "ended": [("date_to", "<=", now)],
        }
        result = []
        for key in values & set(domains):
            result = ["|", *result, *domains[key]] if result else domains[key]
        return result or [("id", "=", 0)]

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    @api.constrains("user_id", "substitute_id", "company_id", "date_from", "date_to", "active")
    def _check_delegation(self):
        for delegation in self:
            user, substitute = delegation.user_id, delegation.substitute_id
            if delegation.date_to <= delegation.date_from:
                raise ValidationError(
                    self.env._(
                        "The absence of %(user)s must end after it starts.",
                        user=user.name,
                    )
                )
            if user == substitute:
                raise ValidationError(
                    self.env._("%(user)s cannot stand in for themself: choose a colleague.", user=user.name)
                )
            substitute_sudo = substitute.sudo()
            if (
                not substitute_sudo.active
                or substitute_sudo.share
                or delegation.company_id not in substitute_sudo.company_ids
            ):
                raise ValidationError(
                    self.env._(
                        "%(substitute)s cannot stand in for %(user)s: a substitute must be an active "
                        "internal user of %(company)s.",
                        substitute=substitute.name,
                        user=user.name,
                        company=delegation.company_id.name,
                    )
                )
        self._check_no_chain()

    def _check_no_chain(self, committed=False):
        """Delegations do not pass on: one substitute at a time, a substitute is not away at the
        same time, and an absent user stands in for nobody meanwhile.

        :param committed: check against the delegations committed by now (a cursor of its own)
            rather than those this transaction sees: a delegation of the same people that a
            concurrent transaction committed while this one waited for their rows' lock
            (``_lock_people``) is not in this transaction's snapshot.
        """
        live = self.filtered("active")
        if not live:
            return
        # While modules load (data files, demo), the table may not be committed yet and nothing
        # else runs: this transaction's view is the whole truth.
        if committed and self.env.registry.ready:
            with self.env.registry.cursor() as cr:
                live._raise_chains(self.env(cr=cr, su=True)[self._name])
        else:
            live._raise_chains(self.sudo())

    def _raise_chains(self, delegations):
        """Raise when these delegations would chain with one of ``delegations`` (a model, in the
        environment to read them from)."""
        users = self.user_id | self.substitute_id
        others = delegations.with_context(active_test=True).search(
            [
                "|",
                ("user_id", "in", users.ids),
                ("substitute_id", "in", users.ids),
                ("date_to", ">", min(self.mapped("date_from"))),
                ("date_from", "<", max(self.mapped("date_to"))),
            ]
        )
        for delegation in self:
            overlapping = (others - delegation).filtered(
                lambda o, d=delegation: o.date_from < d.date_to and d.date_from < o.date_to
            )
            for other in overlapping:
                period = self.env._(
                    "from %(start)s to %(end)s",
                    start=format_datetime(self.env, other.date_from),
                    end=format_datetime(self.env, other.date_to),
                )
                user_name = delegation.user_id.name
                if other.user_id == delegation.user_id:
                    message = self.env._(
                        "%(user)s already has a substitute %(period)s (%(substitute)s): change that "
                        "delegation instead of adding one.",
                        user=user_name,
                        period=period,
                        substitute=other.substitute_id.name,
                    )
                elif other.user_id == delegation.substitute_id:
                    message = self.env._(
                        "%(substitute)s is away too %(period)s: choose a substitute who is present. "
                        "A substitute cannot hand the reviews on.",
                        substitute=delegation.substitute_id.name,
                        period=period,
                    )
                elif other.substitute_id == delegation.user_id:
                    message = self.env._(
                        "%(user)s stands in for %(absent)s %(period)s: a substitute cannot hand the "
                        "reviews on. Ask %(absent)s to choose another substitute first.",
                        user=user_name,
                        absent=other.user_id.name,
                        period=period,
                    )
                else:
                    continue
                raise ValidationError(message)

    def _check_rights(self, users=None):
        """Only the absent reviewer or a fulfilment manager sets a delegation."""
        if self.env.su or self.env.user.has_group("order_fulfilment.group_fulfilment_manager"):
            return
        others = (self.user_id if users is None else users) - self.env.user
        if others:
            raise AccessError(
                self.env._(
                    "You can only set your own absences; a fulfilment manager sets those of %(users)s.",
                    users=", ".join(others.sudo().mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_rights(
            self.env["res.users"].browse(
                [
                    vals.get("user_id") or self.env.context.get("default_user_id") or self.env.uid
                    for vals in vals_list
                ]
            )
        )
        self._lock_people(
            self.env["res.users"].browse(
                [
                    user_id
                    for vals in vals_list
                    for user_id in (
                        vals.get("user_id") or self.env.context.get("default_user_id") or self.env.uid,
                        vals.get("substitute_id"),
                    )
                    if isinstance(user_id, int)
                ]
            )
        )
        delegations = super().create(vals_list)
        delegations._check_no_chain(committed=True)
        self._delegations_changed()
        delegations._reassign_review_activities()
        return delegations

    def write(self, vals):
        self._check_rights()
        moving = set(vals) & {"user_id", "substitute_id", "date_from", "date_to", "active", "company_id"}
        running_before = set()
        if moving:
            people = self.user_id | self.substitute_id
            for key in ("user_id", "substitute_id"):
                if isinstance(vals.get(key), int):
                    people |= people.browse(vals[key])
            self._lock_people(people)
            running_before = self._running_keys()
        result = super().write(vals)
        self._check_rights()
        if moving:
            self._check_no_chain(committed=True)
            self._delegations_changed()
            self._give_back_review_activities(running_before - self._running_keys())
            self._reassign_review_activities()
        return result

    def unlink(self):
        self._check_rights()
        self._lock_people(self.user_id | self.substitute_id)
        running_before = self._running_keys()
        result = super().unlink()
        self._delegations_changed()
        self._give_back_review_activities(running_before)
        return result

    def _lock_people(self, users):
        """Lock the rows of the absent users and substitutes of delegations being set, so that
        the "no chains" check cannot miss a delegation being set at the same time: a concurrent
        transaction that sets a delegation of one of these people waits for this one to end,
        then checks against what it committed (``_check_no_chain(committed=True)``)."""
        lock_rows(users.sudo())

    def _delegations_changed(self):
        self.env.registry.clear_cache()
        self.env["fulfilment.review"].invalidate_model(
            ["substitute_user_ids", "can_decide", "cannot_decide_reason"]
        )

    # ------------------------------------------------------------------
    # Who stands in for whom, now (one query per change of the delegations, then none)
    # ------------------------------------------------------------------
    @api.model
    @tools.ormcache()
    def _delegation_rows(self):
        """(absent user id, substitute id, company id, start, end) of the active delegations that
        have not ended; the cache is cleared by every change of a delegation."""
        self.flush_model(["user_id", "substitute_id", "company_id", "date_from", "date_to", "active"])
        self.env.cr.execute(
            """
            SELECT user_id, substitute_id, company_id, date_from, date_to
              FROM fulfilment_review_delegation
             WHERE active AND date_to > %s
             ORDER BY id
            """,
            [fields.Datetime.now()],
        )
        return tuple(self.env.cr.fetchall())

    @api.model
    def _running_rows(self, now=None):
        now = now or fields.Datetime.now()
        return [row for row in self._delegation_rows() if row[3] <= now < row[4]]

    @api.model
    def _absent_users(self, user):
        """{company id: the users ``user`` stands in for now in that company}."""
        result = {}
        for absent_id, substitute_id, company_id, _start, _end in self._running_rows():
            if substitute_id == user.id:
                result.setdefault(company_id, set()).add(absent_id)
        return {company_id: self.env["res.users"].browse(sorted(ids)) for company_id, ids in result.items()}

    @api.model
    def _substitutes(self):
        """{(absent user id, company id): substitute id} of the delegations running now."""
        return {(row[0], row[2]): row[1] for row in self._running_rows()}

    # ------------------------------------------------------------------
    # The absent reviewer's to-dos go to the substitute
    # ------------------------------------------------------------------
    def _running_keys(self):
        """{(absent user id, substitute id, company id)} of these delegations that run now."""
        return {
            (d.user_id.id, d.substitute_id.id, d.company_id.id)
            for d in self.sudo()
            if d.active and d.state == "running"
        }

    def _give_back_review_activities(self, stopped):
        """The reverse of ``_reassign_review_activities``, when delegations stop running early
        (archived, deleted, their dates or people changed): the substitute's to-dos of pending
        reviews that were theirs only for the absent reviewer go back to that reviewer (or to
        the reviewer's substitute now, if another delegation runs).

        :param stopped: {(absent user id, substitute id, company id)} that no longer run
        """
        if not stopped:
            return
        Activity = self.env["mail.activity"].sudo()
        held = Activity.search(
            [
                ("fulfilment_review_id.state", "=", "pending"),
                ("user_id", "in", list({substitute_id for __, substitute_id, __ in stopped})),
            ]
        )
        # {(review id, user id): activities}
        held_by = held.grouped(lambda a: (a.fulfilment_review_id.id, a.user_id.id))
        reviews = held.fulfilment_review_id
        existing = {
            (a.fulfilment_review_id.id, a.user_id.id)
            for a in Activity.search([("fulfilment_review_id", "in", reviews.ids)])
        }
        recipients = reviews._recipients()
        Users = self.env["res.users"].sudo()
        to_drop = Activity.browse()
        given_back = {}
        for review in reviews:
            wanted = recipients[review.id]
            for absent_id, substitute_id, company_id in stopped:
                if company_id != review.company_id.id or (review.id, substitute_id) not in held_by:
                    continue
                if Users.browse(substitute_id) not in wanted:
                    to_drop |= held_by[review.id, substitute_id]
                absent = Users.browse(absent_id)
                # The absent reviewer, or whoever stands in for them now.
                holder = next((user for user, behalf in wanted.items() if absent in (user, behalf)), None)
                if holder and (review.id, holder.id) not in existing:
                    given_back[review.id] = given_back.get(review.id, Users) | absent
        to_drop.unlink()
        if given_back:
            reviews.filtered(lambda r: r.id in given_back)._create_activities(given_back)

    def _reassign_review_activities(self):
        running = self.filtered(lambda d: d.active and d.state == "running")
        if not running:
            return
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("fulfilment_review_id.state", "=", "pending"),
                    ("user_id", "in", running.user_id.ids),
                ]
            )
        )
        by_absent = {(d.user_id.id, d.company_id.id): d.substitute_id for d in running}
        activities = activities.filtered(
            lambda a: (a.user_id.id, a.fulfilment_review_id.company_id.id) in by_absent
        )
        if not activities:
            return
        reviews = activities.fulfilment_review_id
        banned = reviews._self_review_banned_users()
        existing = {
            (a.fulfilment_review_id.id, a.user_id.id)
            for a in self.env["mail.activity"]
            .sudo()
            .search(
                [("fulfilment_review_id", "in", reviews.ids), ("user_id", "in", running.substitute_id.ids)]
            )
        }
        to_drop = self.env["mail.activity"]
        for substitute, group in activities.grouped(
            lambda a: by_absent[a.user_id.id, a.fulfilment_review_id.company_id.id]
        ).items():
            movable = group.filtered(
                lambda a, s=substitute: s not in banned.get(a.fulfilment_review_id.id, s.browse())
            )
            duplicates = movable.filtered(
                lambda a, s=substitute: (a.fulfilment_review_id.id, s.id) in existing
            )
            to_drop |= duplicates
            (movable - duplicates).with_context(mail_activity_quick_update=True).write(
                {"user_id": substitute.id}
            )
        to_drop.unlink()
