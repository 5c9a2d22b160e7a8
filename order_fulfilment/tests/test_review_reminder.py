from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import FulfilmentCase, staff_user

PRODUCTION = "order_fulfilment.group_review_production"
MANAGER = "order_fulfilment.group_fulfilment_manager"

# Times are UTC; the company works Monday to Friday, 8:00-12:00 and 13:00-17:00 in Shanghai
# (UTC+8): 00:00-04:00 and 05:00-09:00 UTC.
FRIDAY_1530 = "2026-03-06 07:30:00"  # Friday 15:30 in Shanghai: 1.5 working hours left that day
SATURDAY = "2026-03-07 03:00:00"


@tagged("post_install", "-at_install")
class TestReviewReminders(FulfilmentCase):
    """Reminders (催办) every few working hours, a few times, then one escalation to a group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["fulfilment.review.rule"].search([]).active = False
        calendar = cls.env.ref("resource.resource_calendar_std")
        calendar.tz = "Asia/Shanghai"
        cls.company.resource_calendar_id = calendar
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["order_fulfilment"], ["zh_CN"], overwrite=True)
        cls.env.invalidate_all()
        cls.env.registry.clear_cache()
        cls.producer = staff_user(cls.env, "of_rem_producer", PRODUCTION, name="Pat Production")
        cls.zh_producer = staff_user(
            cls.env, "of_rem_zh_producer", PRODUCTION, name="Wang Production", lang="zh_CN"
        )
        # A group of the company's own, which no addon group implies.
        cls.plant_directors = cls.env["res.groups"].create({"name": "Plant Directors"})
        cls.plant_director = staff_user(cls.env, "of_rem_director", "base.group_user", name="Dora Director")
        cls.plant_directors.users = cls.plant_director
        cls.manager = staff_user(cls.env, "of_rem_manager", MANAGER, name="Max Manager")
        cls.rule = cls.env["fulfilment.review.rule"].create(
            {
                "name": "Production review",
                "group_id": cls.env.ref(PRODUCTION).id,
                "reminder_hours": 2.0,
                "reminder_max": 2,
                "escalation_group_id": cls.plant_directors.id,
            }
        )
        cls.Review = cls.env["fulfilment.review"]
        cls.automation = cls.env.ref("order_fulfilment.fulfilment_review_automation_overdue")

    def _request(self, at=FRIDAY_1530):
        order = self._create_order()
        with freeze_time(at):
            order.with_user(self.salesman).action_request_review()
        return order, order.review_ids

    def _remind(self, at):
        with freeze_time(at):
            return self.Review._cron_remind()

    def _escalate(self, at):
        with freeze_time(at):
            self.automation.last_run = False
            self.env["base.automation"]._check()

    def _todos(self, review, user):
        return self.env["mail.activity"].search(
            [("fulfilment_review_id", "=", review.id), ("user_id", "=", user.id)]
        )

    def _overdue_todos(self, order, user):
        return order.activity_ids.filtered(lambda a: a.user_id == user and "Overdue" in (a.summary or ""))

    def test_ladder_in_working_hours_then_one_escalation(self):
        order, review = self._request()
        # Friday 15:30-17:00 then Monday from 8:00: the first reminder is on Monday 8:30; after two
        # reminders, one more interval: the deadline is 6 working hours away, Monday 13:30.
        self.assertEqual(review.reminder_next, datetime(2026, 3, 9, 0, 30))
        self.assertEqual(review.deadline, datetime(2026, 3, 9, 5, 30))
        self.assertEqual(self._todos(review, self.producer).date_deadline, date(2026, 3, 9))

        # The night and the weekend are not working time.
        self.assertEqual(self._remind("2026-03-06 12:00:00"), 0)
        self.assertEqual(self._remind(SATURDAY), 0)
        self.assertEqual(review.reminder_count, 0)

        self.assertEqual(self._remind("2026-03-09 00:31:00"), 1)
        self.assertEqual(review.reminder_count, 1)
        self.assertEqual(review.reminder_next, datetime(2026, 3, 9, 2, 30), "two working hours later")
        todo = self._todos(review, self.producer)
        self.assertEqual(len(todo), 1, "the reviewer's to-do is reminded, not doubled")
        self.assertEqual(todo.summary, "Reminder 1: Production Reviewer review")
        self.assertEqual(todo.date_deadline, date(2026, 3, 9))
        # In each reviewer's language (催办).
        self.assertEqual(self._todos(review, self.zh_producer).summary, "第1次催办：生产评审员 评审")
        # A second pass at the same moment reminds no one again.
        self.assertEqual(self._remind("2026-03-09 00:35:00"), 0)
        self.assertEqual(review.reminder_count, 1)

        self.assertEqual(self._remind("2026-03-09 02:31:00"), 1)
        self.assertEqual(review.reminder_count, 2)
        self.assertFalse(review.reminder_next, "at most two reminders")
        self.assertEqual(self._todos(review, self.producer).summary, "Reminder 2: Production Reviewer review")
        self.assertEqual(self._remind("2026-03-09 04:30:00"), 0)
        self.assertEqual(review.reminder_count, 2)
        self.assertFalse(review.escalated, "the deadline has not passed yet")

        # The last step: the escalation to the rule's group, once.
        self._escalate("2026-03-09 05:32:00")
        self.assertTrue(review.escalated)
        director_todos = order.activity_ids.filtered(lambda a: a.user_id == self.plant_director)
        self.assertEqual(len(director_todos), 1)
        self.assertIn("Overdue", director_todos.summary)
        self.assertFalse(
            self._overdue_todos(order, self.manager),
            "the rule names the plant directors, not the fulfilment managers",
        )
        self._escalate("2026-03-09 06:30:00")
        self.assertEqual(len(order.activity_ids.filtered(lambda a: a.user_id == self.plant_director)), 1)
        self.assertEqual(review.state, "pending", "an escalation decides nothing")

    def test_reminders_stop_once_decided(self):
        _order, review = self._request()
        review.with_user(self.producer).action_approve()
        self.assertFalse(review.reminder_next)
        self.assertEqual(self._remind("2026-03-09 03:00:00"), 0)
        self.assertEqual(review.reminder_count, 0)
        self.assertFalse(self.env["mail.activity"].search([("fulfilment_review_id", "=", review.id)]))

    def test_reminders_stop_once_invalidated_or_cancelled(self):
        order, review = self._request()
        with freeze_time("2026-03-09 00:31:00"):
            order.order_line.with_user(self.salesman).write({"product_uom_qty": 3})
        self.assertEqual(review.state, "cancelled", "the quotation changed: its sign-off is asked again")
        self.assertFalse(review.reminder_next)
        again = order._review_current().filtered(lambda r: r.state == "pending")
        self.assertEqual(len(again), 1)
        self.assertEqual(
            again.reminder_next, datetime(2026, 3, 9, 2, 31), "a ladder of its own, from the change"
        )
        # A quotation cancelled while under review: nobody is reminded of it.
        other, other_review = self._request()
        other.with_user(self.salesman)._action_cancel()
        self.assertEqual(other_review.state, "cancelled", "cancelled with its quotation")
        self.assertEqual(self._remind("2026-03-09 03:00:00"), 1, "the new sign-off only")
        self.assertEqual((review | other_review).mapped("reminder_count"), [0, 0])
        self.assertFalse(other_review.reminder_next)
        self.assertEqual(again.reminder_count, 1)
        self.assertFalse(self.env["mail.activity"].search([("fulfilment_review_id", "=", review.id)]))
        self.assertFalse(
            self.env["mail.activity"].search(
                [("fulfilment_review_id", "=", other_review.id), ("summary", "like", "Reminder")]
            )
        )

    def test_no_escalation_group_tells_the_fulfilment_managers(self):
        self.rule.write({"escalation_group_id": False, "reminder_max": 0})
        order, review = self._request()
        self.assertFalse(review.reminder_next, "no reminders: only the escalation")
        self.assertEqual(review.deadline, datetime(2026, 3, 9, 0, 30), "two working hours")
        self._escalate("2026-03-09 00:32:00")
        self.assertTrue(self._overdue_todos(order, self.manager))
        self.assertFalse(self._overdue_todos(order, self.plant_director))

    def test_rule_without_reminders_keeps_its_response_time(self):
        self.rule.reminder_hours = 0
        _order, review = self._request()
        self.assertFalse(review.reminder_next)
        self.assertEqual(review.deadline, datetime(2026, 3, 7, 7, 30), "24 wall-clock hours, as before")

    def test_reviewer_who_closed_the_todo_is_reminded_with_a_new_one(self):
        _order, review = self._request()
        self._todos(review, self.producer).action_feedback(feedback="Seen")
        self._remind("2026-03-09 00:31:00")
        self.assertEqual(self._todos(review, self.producer).summary, "Reminder 1: Production Reviewer review")

    def test_bad_ladder_refused(self):
        with self.assertRaises(ValidationError):
            self.rule.reminder_hours = 100.0
            self.rule.reminder_max = 30
            self.rule.flush_recordset()
