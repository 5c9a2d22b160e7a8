import math
from collections import defaultdict
from datetime import datetime, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.orm import run_batches
from .fulfilment_ticket_sla import add_service_minutes

# Working time read ahead of a start: enough for a calendar of a few hours a day, with holidays.
LOOKAHEAD_DAYS = 14
# A review's reminder that should have run this long ago (server down) counts from now instead.
STALE_DAYS = 31
# What the reminder pass reads of a review (not its reasons, which it does not show).
REMINDER_FIELDS = [
    "state",
    "escalated",
    "rule_id",
    "reminder_count",
    "reminder_next",
    "company_id",
    "res_model",
    "res_id",
    "group_id",
    "requested_by_id",
    "department",
]


class FulfilmentReview(models.Model):
    """Reminders (催办) and the escalation, in working hours.

    A review of a rule with ``reminder_hours`` gets its reminders every ``reminder_hours`` working
    hours of its company's calendar after it opens, at most ``reminder_max`` of them; one interval
    after the last one is its deadline, when the automation rule "escalate overdue reviews" tells
    the rule's escalation group (or the fulfilment managers) once: the existing escalation is the
    last step of the ladder. The scheduled action "remind reviewers" sends the reminders in
    batches, reading only the reviews whose ``reminder_next`` is due (indexed).
    """

    _inherit = "fulfilment.review"

    reminder_count = fields.Integer(
        "Reminders",
        readonly=True,
        copy=False,
        help="How many times the reviewers were reminded of this review (催办).",
    )
    reminder_next = fields.Datetime(
        "Next Reminder",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the reviewers are reminded next; empty when no reminder is left.",
    )

    # ------------------------------------------------------------------
    # Working time
    # ------------------------------------------------------------------
    @api.model
    def _add_working_hours(self, company, pairs):
        """{(start, hours): the moment ``hours`` working hours of ``company`` after ``start``}.

        One read of the calendar (attendances and holidays) for all the pairs. Without a calendar,
        or when it holds too little working time, the wall clock counts (as for the ticket SLA).
        """
        pairs = set(pairs)
        if not pairs:
            return {}
        last = max(start for start, _hours in pairs)
        first = max(min(start for start, _hours in pairs), last - timedelta(days=STALE_DAYS))
        longest = max(hours for _start, hours in pairs)
        stop = last + timedelta(days=LOOKAHEAD_DAYS + math.ceil(longest / 4 * 7 / 5))
        intervals = company._fulfilment_work_intervals(first, stop) if company else None
        result = {}
        for start, hours in pairs:
            minutes = hours * 60
            result[start, hours] = add_service_minutes(start, minutes, intervals) or add_service_minutes(
                start, minutes
            )
        return result

    # ------------------------------------------------------------------
    # The ladder starts when a review opens, and ends with its decision
    # ------------------------------------------------------------------
    def _open(self, now=None):
        now = now or fields.Datetime.now()
        result = super()._open(now)
        self._reminder_start(now)
        return result

    def _reminder_start(self, now):
        """First reminder and deadline (the escalation) of the reviews whose rule reminds, in
        working hours; their reviewers' to-dos fall due on the first reminder."""
        laddered = self.sudo().filtered(lambda r: r.state == "pending" and r.rule_id.reminder_hours)
        for company, reviews in laddered.grouped("company_id").items():
            pairs = {(now, review.rule_id.reminder_hours) for review in reviews}
            pairs |= {(now, review.rule_id._ladder_hours()) for review in reviews}
            moments = self._add_working_hours(company, pairs)
            schedules = defaultdict(list)
            for review in reviews:
                rule = review.rule_id
                first = moments[now, rule.reminder_hours] if rule.reminder_max else False
                schedules[first, moments[now, rule._ladder_hours()]].append(review.id)
            for (first, deadline), ids in schedules.items():
                self.sudo().browse(ids).write(
                    {"reminder_next": first, "reminder_count": 0, "deadline": deadline}
                )
        if laddered:
            activities = (
                self.env["mail.activity"].sudo().search([("fulfilment_review_id", "in", laddered.ids)])
            )
            # The to-do is due when the first reminder comes (or at the deadline without reminders).
            for day, todo in activities.grouped(
                lambda a: fields.Date.context_today(
                    a, a.fulfilment_review_id.reminder_next or a.fulfilment_review_id.deadline
                )
            ).items():
                todo.write({"date_deadline": day})

    def write(self, vals):
        # A decided, cancelled or invalidated review is reminded no more.
        if vals.get("state") and vals["state"] != "pending" and "reminder_next" not in vals:
            vals = {**vals, "reminder_next": False}
        return super().write(vals)

    # ------------------------------------------------------------------
    # The scheduled action
    # ------------------------------------------------------------------
    @api.model
    def _cron_remind(self, batch_size=1000, now=None):
        """Remind the reviewers of the reviews whose reminder is due, in batches.

        Due reviews are read through the index on ``reminder_next`` and locked with SKIP LOCKED:
        two workers never remind the same review twice, and a review being decided is left to
        its decision (which ends the reminders).
        :return: how many reviews were handled
        """
        now = now or fields.Datetime.now()

        def batch(limit):
            self.env["fulfilment.review"].flush_model(["reminder_next", "state"])
            self.env.cr.execute(
                SQL(
                    """SELECT id FROM fulfilment_review
                        WHERE reminder_next <= %s AND state = 'pending'
                        ORDER BY reminder_next, id
                        LIMIT %s
                        FOR UPDATE SKIP LOCKED""",
                    now,
                    limit,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            reviews = self.sudo().browse(ids)
            reviews.fetch(REMINDER_FIELDS)
            reviews._remind(now)
            reviews.flush_recordset()
            return len(ids), len(ids) == limit

        return run_batches(self.env, batch, batch_size)

    def _remind(self, now):
        """Remind the reviewers of these due reviews (locked) and schedule the next reminder;
        reviews with no reminder left (or already escalated) drop out of the ladder.
        :return: the reviews whose reviewers were reminded
        """
        still_open = self._records_still_open()
        done = self.filtered(
            lambda r: (
                r.state != "pending"
                or r.escalated
                or not r.rule_id.reminder_hours
                or r.reminder_count >= r.rule_id.reminder_max
                or (r.res_model, r.res_id) not in still_open
            )
        )
        if done:
            done.write({"reminder_next": False})
        due = self - done
        if not due:
            return due
        next_moments = {}
        for company, reviews in due.grouped("company_id").items():
            moments = self._add_working_hours(
                company, {(review.reminder_next, review.rule_id.reminder_hours) for review in reviews}
            )
            # A reminder missed for long (scheduled actions stopped) counts from now.
            late = {(now, hours) for (_start, hours), moment in moments.items() if moment <= now}
            from_now = self._add_working_hours(company, late)
            for review in reviews:
                hours = review.rule_id.reminder_hours
                moment = moments[review.reminder_next, hours]
                next_moments[review.id] = moment if moment > now else from_now[now, hours]
        writes = defaultdict(list)
        for review in due:
            count = review.reminder_count + 1
            last = count >= review.rule_id.reminder_max
            writes[count, False if last else next_moments[review.id]].append(review.id)
        # One UPDATE per step of the ladder rather than the ORM's rows of 100: a pass may remind
        # thousands of reviews at once. Nothing is computed from these two columns.
        for (count, moment), ids in writes.items():
            self.env.cr.execute(
                SQL(
                    """UPDATE fulfilment_review
                          SET reminder_count = %s, reminder_next = %s, write_uid = %s, write_date = %s
                        WHERE id = ANY(%s)""",
                    count,
                    moment or None,
                    self.env.uid,
                    self.env.cr.now(),
                    ids,
                )
            )
        due.invalidate_recordset(["reminder_count", "reminder_next", "write_uid", "write_date"])
        due._remind_reviewers()
        return due

    def _records_still_open(self):
        """{(model, id)} of the reviewed records that can still be reviewed: a quotation cancelled
        while under review keeps its reviews pending, but nobody is reminded of it."""
        still_open = set()
        for model, records in self.sudo()._reviewed_records().items():
            records = records.exists()
            # Only the columns the pass reads (the state; the responsible for the self-review
            # ban), not every column of a sale order.
            records.fetch(
                [name for name in (records._review_state_field, "user_id") if name in records._fields]
            )
            still_open.update((model, record.id) for record in records if record._review_is_open())
        return still_open

    def _remind_reviewers(self):
        """Each reviewer's to-do of these reviews is titled as a reminder, in the reviewer's
        language, and falls due today if it was due later; a reviewer who has none (it was
        closed, or they joined the department since) gets one. Batched: one write per distinct
        title and per day."""
        activity_type = self.env.ref("order_fulfilment.mail_activity_type_review", raise_if_not_found=False)
        users_by_review = self._notified_users()
        Activity = self.env["mail.activity"].sudo()
        Activity.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT id, fulfilment_review_id, user_id, date_deadline FROM mail_activity
                    WHERE fulfilment_review_id = ANY(%s) AND active""",
                self.ids,
            )
        )
        existing = defaultdict(list)
        for activity_id, review_id, user_id, deadline in self.env.cr.fetchall():
            existing[review_id, user_id].append((activity_id, deadline))
        # (id, language) of each set of reviewers, read once per set rather than once per review.
        reviewers = {}
        for users in users_by_review.values():
            if users._ids not in reviewers:
                reviewers[users._ids] = [(user.id, user.lang or "en_US") for user in users]
        langs = {lang for pairs in reviewers.values() for _id, lang in pairs}
        titles = {}
        for lang in langs:
            in_lang = self.with_context(lang=lang)
            title = in_lang.env._("Reminder %(count)s: %(group)s review")
            for review in in_lang:
                titles[review.id, lang] = title % {"count": review.reminder_count, "group": review.department}
        today = {
            company: datetime.now(pytz.utc).astimezone(company._fulfilment_tz()).date()
            for company in self.company_id
        }
        model_ids = {model: self.env["ir.model"]._get_id(model) for model in set(self.mapped("res_model"))}
        retitle = defaultdict(list)
        bring_forward = defaultdict(list)
        new = []
        for review in self:
            day = today.get(review.company_id) or fields.Date.context_today(review)
            for user_id, lang in reviewers[users_by_review[review.id]._ids]:
                title = titles[review.id, lang]
                activities = existing.get((review.id, user_id))
                for activity_id, deadline in activities or []:
                    if deadline > day:
                        bring_forward[title, day].append(activity_id)
                    else:
                        retitle[title].append(activity_id)
                if not activities and activity_type:
                    new.append(
                        {
                            "activity_type_id": activity_type.id,
                            "res_model_id": model_ids[review.res_model],
                            "res_id": review.res_id,
                            "user_id": user_id,
                            "date_deadline": day,
                            "summary": title,
                            "note": review.with_context(lang=lang).reason,
                            "fulfilment_review_id": review.id,
                        }
                    )
        # Thousands of to-dos may be reminded at once (a Monday morning): one UPDATE per title
        # rather than the ORM's rows of 100 for those already due, whose title only changes;
        # nothing is computed from it.
        for title, ids in retitle.items():
            self.env.cr.execute(
                SQL(
                    """UPDATE mail_activity SET summary = %s, write_uid = %s, write_date = %s
                        WHERE id = ANY(%s)""",
                    title,
                    self.env.uid,
                    self.env.cr.now(),
                    ids,
                )
            )
        Activity.browse([i for ids in retitle.values() for i in ids]).invalidate_recordset(
            ["summary", "write_uid", "write_date"]
        )
        # The to-dos falling due earlier go through the ORM, which tells their users' activity
        # counters; their title in the same write, so that each row is written once.
        for (title, day), ids in bring_forward.items():
            Activity.browse(ids).write({"summary": title, "date_deadline": day})
        if new:
            Activity.with_context(mail_activity_quick_update=True).create(new)

    # ------------------------------------------------------------------
    # The last step: the escalation, to the rule's group
    # ------------------------------------------------------------------
    def _escalate_overdue(self, users=None):
        if users is not None:
            return super()._escalate_overdue(users)
        for group, reviews in self.grouped(lambda r: r.sudo().rule_id.escalation_group_id).items():
            super(FulfilmentReview, reviews)._escalate_overdue(group.sudo().users if group else None)
