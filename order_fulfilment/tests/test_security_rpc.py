"""The access contract, attacked over JSON-RPC by real logged-in users of every group.

Each attack of the matrix is a call of /web/dataset/call_kw by one user, with the outcome
the contract expects: allowed ("ok"), or refused with AccessError, UserError or
ValidationError. A refused call must leave every fixture exactly as it was (state, review
fields, counts, chatter); an allowed call is rolled back after its check so that the attacks
stay independent.
"""

import logging

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import JsonRpcMixin, RpcError

_logger = logging.getLogger(__name__)

OK = "ok"
ACCESS = "AccessError"
USER = "UserError"
VALIDATION = "ValidationError"

# Context keys that must open no way around the rules.
BYPASS_CONTEXTS = [
    {"skip_review": True},
    {"skip_validation_check": True},
    {"tracking_disable": True},
    {"mail_notrack": True},
    {"install_mode": True},
    {"active_test": False},
    {"bypass_review": True},
    {"fulfilment_skip_review": True},
    {"review_bypass": True},
    {"no_review": True},
    {"import_file": True},
    {"module": "order_fulfilment"},
    {"sudo": True, "su": True},
    {"uid": 1, "user": 1},
    {"force_company": None},  # filled with company B in setUpClass
    {"default_state": "sale", "default_review_state": "approved"},
    {
        "skip_review": True,
        "skip_validation_check": True,
        "tracking_disable": True,
        "mail_notrack": True,
        "install_mode": True,
        "bypass_review": True,
    },
]

# How many attacks the matrix tried (reported in the log).
ATTACKS_TRIED = 0

REVIEWERS = ("technical", "production", "quality", "purchasing", "finance", "gm")


@tagged("post_install", "-at_install")
class TestSecurityRpc(JsonRpcMixin, HttpCase):
    """One test user per group, a portal customer and a second company, attacked over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        ref = env.ref
        cls.company_a = env.company
        cls.company_b = env["res.company"].create({"name": "Security Test Company B"})
        BYPASS_CONTEXTS[14]["force_company"] = cls.company_b.id

        def user(login, groups, company=None, **values):
            company = company or cls.company_a
            return new_test_user(
                env,
                login=login,
                groups=groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
                context={"no_reset_password": True},
                **values,
            )

        cls.users = {
            "salesman": user("sec_salesman", "sales_team.group_sale_salesman"),
            "salesman2": user("sec_salesman2", "sales_team.group_sale_salesman"),
            "sales_tech": user(
                "sec_sales_tech", "sales_team.group_sale_salesman,order_fulfilment.group_review_technical"
            ),
            "sales_manager": user("sec_sales_manager", "sales_team.group_sale_manager"),
            "technical": user("sec_technical", "order_fulfilment.group_review_technical"),
            "production": user("sec_production", "order_fulfilment.group_review_production"),
            "quality": user("sec_quality", "order_fulfilment.group_review_quality"),
            "purchasing": user("sec_purchasing", "order_fulfilment.group_review_purchasing"),
            "finance": user("sec_finance", "order_fulfilment.group_review_finance"),
            "gm": user("sec_gm", "order_fulfilment.group_general_manager"),
            "director": user("sec_director", "order_fulfilment.group_sales_director"),
            "agent": user("sec_agent", "order_fulfilment.group_aftersales_user"),
            "as_manager": user("sec_as_manager", "order_fulfilment.group_aftersales_manager"),
            "fmanager": user("sec_fmanager", "order_fulfilment.group_fulfilment_manager"),
            "plain": user("sec_plain", "base.group_user"),
            "portal": user("sec_portal", "base.group_portal"),
            "b_salesman": user("sec_b_salesman", "sales_team.group_sale_salesman", cls.company_b),
            "b_agent": user("sec_b_agent", "order_fulfilment.group_aftersales_user", cls.company_b),
            # Every group, but only company B: the record rules alone must keep company A apart.
            "b_manager": user(
                "sec_b_manager",
                "order_fulfilment.group_fulfilment_manager,sales_team.group_sale_manager",
                cls.company_b,
            ),
        }
        cls.archived_agent = user("sec_archived_agent", "order_fulfilment.group_aftersales_user")
        cls.archived_agent.active = False
        u = cls.users

        Partner = env["res.partner"]
        cls.customer = Partner.create({"name": "Security Customer", "is_company": True})
        u["portal"].partner_id.parent_id = cls.customer
        cls.other_customer = Partner.create({"name": "Other Customer", "is_company": True})
        cls.class_b_customer = Partner.create(
            {"name": "Class B Customer", "is_company": True, "fulfilment_customer_class": "B"}
        )
        Product = env["product.product"]
        cls.pump = Product.create({"name": "Security Pump", "type": "consu", "list_price": 1000.0})
        cls.kit = Product.create({"name": "Security Kit", "type": "consu", "list_price": 50.0})

        # Every reviewer group reviews quotations of 500 or more, all in one step.
        Rule = env["fulfilment.review.rule"]
        cls.rules = Rule
        for key, xmlid in (
            ("technical", "group_review_technical"),
            ("production", "group_review_production"),
            ("quality", "group_review_quality"),
            ("purchasing", "group_review_purchasing"),
            ("finance", "group_review_finance"),
            ("gm", "group_general_manager"),
        ):
            cls.rules |= Rule.create(
                {
                    "name": f"Security {key} review",
                    "group_id": ref(f"order_fulfilment.{xmlid}").id,
                    "min_amount": 500.0,
                    "company_id": cls.company_a.id,
                }
            )
        cls.rule = cls.rules[1]
        cls.archived_rule = Rule.create(
            {
                "name": "Security archived rule",
                "group_id": ref("order_fulfilment.group_review_quality").id,
                "active": False,
                "company_id": cls.company_a.id,
            }
        )

        def order(product, user_key="salesman", partner=None, company=None, qty=1):
            Order = env["sale.order"].with_company(company or cls.company_a)
            return Order.create(
                {
                    "partner_id": (partner or cls.customer).id,
                    "user_id": u[user_key].id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "price_unit": product.list_price,
                            }
                        )
                    ],
                }
            )

        cls.order_pending = order(cls.pump)
        cls.order_pending.with_user(u["salesman"]).action_request_review()
        cls.reviews = {
            key: cls.order_pending.review_ids.filtered(
                lambda r, k=key: r.rule_id.name == f"Security {k} review"
            )
            for key in REVIEWERS
        }
        cls.rev_prod = cls.reviews["production"]
        cls.order_draft = order(cls.pump)
        cls.order_cancelled = order(cls.pump)
        cls.order_cancelled.action_cancel()
        cls.order_self = order(cls.pump, user_key="sales_tech")
        cls.order_self.with_user(u["sales_tech"]).action_request_review()
        cls.rev_self = cls.order_self.review_ids.filtered(
            lambda r: r.rule_id.name == "Security technical review"
        )
        cls.order_small = order(cls.kit, qty=2)
        cls.order_small.action_confirm()
        cls.order_class_b = order(cls.kit, partner=cls.class_b_customer, qty=2)
        cls.order_class_b.action_confirm()
        cls.order_other = order(cls.kit, user_key="salesman2", qty=2)
        cls.order_other.action_confirm()

        # Change requests: draft, submitted (waiting for the manager), approved.
        Request = env["fulfilment.change.request"]
        orders_c = [order(cls.kit, qty=2) for __ in range(3)]
        for confirmed in orders_c:
            confirmed.action_confirm()

        def request(confirmed):
            req = Request.with_user(u["salesman"]).create(
                {"order_id": confirmed.id, "change_type": "quantity", "reason": "Customer asked"}
            )
            req.line_ids.new_qty = 3
            return req.sudo()

        cls.cr_draft, cls.cr_submitted, cls.cr_approved = (request(o) for o in orders_c)
        cls.cr_submitted.with_user(u["salesman"]).action_submit()
        cls.cr_approved.with_user(u["salesman"]).action_submit()
        cls.cr_approved.with_user(u["sales_manager"]).action_review_approve()
        cls.cr_approved.with_user(u["director"]).action_review_approve()
        assert cls.cr_submitted.state == "submitted" and cls.cr_approved.state == "approved"
        cls.rev_cr = cls.cr_submitted.review_ids.filtered(lambda r: r.state == "pending")

        # Tickets: the portal customer's, another customer's, and one of company B.
        Ticket = env["fulfilment.ticket"]
        cls.ticket = Ticket.create(
            {
                "partner_id": cls.customer.id,
                "order_id": cls.order_small.id,
                "ticket_type": "complaint",
                "description": "Security ticket A",
            }
        )
        cls.ticket_other = Ticket.create(
            {"partner_id": cls.other_customer.id, "ticket_type": "inquiry", "description": "Other customer"}
        )

        # Company B: an order under review, a change request, a ticket and a rule.
        B = cls.company_b
        cls.rule_b = Rule.create(
            {
                "name": "Security B review",
                "group_id": ref("order_fulfilment.group_review_production").id,
                "min_amount": 500.0,
                "company_id": B.id,
            }
        )
        cls.order_b = order(cls.pump, user_key="b_salesman", company=B)
        cls.order_b.with_user(u["b_salesman"]).with_company(B).action_request_review()
        cls.rev_b = cls.order_b.review_ids
        order_b2 = order(cls.kit, user_key="b_salesman", company=B)
        order_b2.with_company(B).action_confirm()
        cls.cr_b = Request.with_company(B).create(
            {"order_id": order_b2.id, "change_type": "price", "reason": "Company B change"}
        )
        cls.ticket_b = Ticket.with_company(B).create(
            {"partner_id": cls.other_customer.id, "company_id": B.id, "description": "Company B ticket"}
        )
        env.flush_all()

    @classmethod
    def tearDownClass(cls):
        _logger.info("security matrix: %s attacks tried", ATTACKS_TRIED)
        super().tearDownClass()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _snapshot(self):
        """Everything an attack could change, read straight from the database."""
        self.env.flush_all()
        cr = self.env.cr
        queries = [
            (
                "SELECT id, state, review_state, review_round, is_rush, fulfilment_released_by_id, "
                "company_id FROM sale_order ORDER BY id"
            ),
            "SELECT id, order_id, product_uom_qty, price_unit, product_id FROM sale_order_line ORDER BY id",
            (
                "SELECT id, state, reviewer_id, decision_date, comment, res_id, company_id "
                "FROM fulfilment_review ORDER BY id"
            ),
            (
                "SELECT id, state, applied_date, applied_by_id, reason, order_id, company_id, review_state "
                "FROM fulfilment_change_request ORDER BY id"
            ),
            "SELECT id, request_id, old_qty, new_qty FROM fulfilment_change_request_line ORDER BY id",
            (
                "SELECT id, state, sla_state, user_id, description, assign_deadline, contact_deadline, "
                "assigned_date, first_contact_date, company_id FROM fulfilment_ticket ORDER BY id"
            ),
            "SELECT id, active, min_amount, company_id, group_id FROM fulfilment_review_rule ORDER BY id",
            "SELECT count(*) FROM mail_message",
            "SELECT count(*) FROM stock_picking",
        ]
        result = []
        for query in queries:
            cr.execute(query)
            result.append(cr.fetchall())
        return result

    def _attack(self, attack, baseline):
        global ATTACKS_TRIED  # pylint: disable=global-statement
        ATTACKS_TRIED += 1
        label, user_key, model, method, args, kwargs, expect, check = attack
        savepoint = self.env.cr.savepoint()
        try:
            try:
                result = self._call(model, method, *args, **(kwargs or {}))
                outcome = OK
            except RpcError as error:
                outcome = error.name
                result = None
            self.env.invalidate_all()
            expected = expect if isinstance(expect, tuple) else (expect,)
            self.assertIn(outcome, expected, f"{label} as {user_key}: got {outcome}, expected {expect}")
            if outcome == OK:
                if check:
                    check(result)
            else:
                self.assertEqual(self._snapshot(), baseline, f"{label} as {user_key}: a refused call wrote")
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()
            self.env.registry.clear_cache()

    def _run_matrix(self, matrix):
        baseline = self._snapshot()
        current = None
        for attack in sorted(matrix, key=lambda a: a[1]):
            user_key = attack[1]
            if user_key != current:
                login = self.users[user_key].login
                self.authenticate(login, login)
                current = user_key
            with self.subTest(attack=attack[0], user=user_key):
                self._attack(attack, baseline)
        self.assertEqual(self._snapshot(), baseline, "the matrix left the fixtures changed")
        return len(matrix)

    @staticmethod
    def _a(label, users, model, method, args, kwargs=None, expect=OK, check=None):
        """Attacks of one call by several users: users is {user key: expected outcome} or a list."""
        if not isinstance(users, dict):
            users = dict.fromkeys(users, expect)
        return [
            (label, user_key, model, method, args, dict(kwargs or {}), outcome, check)
            for user_key, outcome in users.items()
        ]

    def _everyone(self, default, **overrides):
        """{every user key: default}, with some outcomes overridden."""
        outcomes = dict.fromkeys(self.users, default)
        outcomes.update(overrides)
        return outcomes

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    def test_review_rule_matrix(self):
        a = self._a
        rule = self.rule
        group = self.env.ref("order_fulfilment.group_review_quality")
        new_rule = {"name": "Sneaky rule", "group_id": group.id, "company_id": self.company_a.id}
        matrix = []
        matrix += a(
            "read a rule",
            self._everyone(OK, portal=ACCESS, b_salesman=ACCESS, b_agent=ACCESS, b_manager=ACCESS),
            "fulfilment.review.rule",
            "read",
            [rule.ids, ["name", "min_amount"]],
        )
        matrix += a(
            "create a rule",
            self._everyone(ACCESS, fmanager=OK),
            "fulfilment.review.rule",
            "create",
            [new_rule],
        )
        matrix += a(
            "loosen a rule",
            self._everyone(ACCESS, fmanager=OK),
            "fulfilment.review.rule",
            "write",
            [rule.ids, {"min_amount": 1e9}],
        )
        matrix += a(
            "archive a rule",
            self._everyone(ACCESS, fmanager=OK),
            "fulfilment.review.rule",
            "write",
            [rule.ids, {"active": False}],
        )
        matrix += a(
            "delete a rule",
            self._everyone(ACCESS, fmanager=OK),
            "fulfilment.review.rule",
            "unlink",
            [rule.ids],
        )
        for context in BYPASS_CONTEXTS:
            matrix += a(
                f"loosen a rule with {context}",
                ["salesman", "director", "technical"],
                "fulfilment.review.rule",
                "write",
                [rule.ids, {"min_amount": 1e9}],
                {"context": context},
                expect=ACCESS,
            )
        # Company B's manager sees none of company A's rules, archived ones included.
        a_rule_ids = set((self.rules | self.archived_rule).ids)
        matrix += a(
            "list rules of the other company, archived too",
            ["b_manager", "b_salesman"],
            "fulfilment.review.rule",
            "search_read",
            [[], ["name"]],
            {"context": {"active_test": False}},
            check=lambda rows: self.assertFalse({row["id"] for row in rows} & a_rule_ids),
        )
        matrix += a(
            "read the other company's rule",
            self._everyone(ACCESS, b_manager=OK, b_salesman=OK, b_agent=OK),
            "fulfilment.review.rule",
            "read",
            [self.rule_b.ids, ["name"]],
        )
        matrix += a(
            "create a rule in the other company",
            ["b_manager"],
            "fulfilment.review.rule",
            "create",
            [new_rule],
            expect=ACCESS,
        )
        matrix += a(
            "move own rule to a company one is not in",
            ["fmanager"],
            "fulfilment.review.rule",
            "write",
            [rule.ids, {"company_id": self.company_b.id}],
            expect=ACCESS,
        )
        self._run_matrix(matrix)

    # ------------------------------------------------------------------
    # Reviews
    # ------------------------------------------------------------------
    def test_review_matrix(self):
        a = self._a
        rev = self.rev_prod
        readers = {
            key: OK for key in ("salesman", "sales_manager", "director", "fmanager", "sales_tech", *REVIEWERS)
        }
        matrix = []
        matrix += a(
            "read a review",
            self._everyone(ACCESS, **readers),
            "fulfilment.review",
            "read",
            [rev.ids, ["state", "reviewer_id", "decision_date"]],
        )
        matrix += a(
            "forge a review",
            self._everyone(ACCESS),
            "fulfilment.review",
            "create",
            [
                {
                    "res_model": "sale.order",
                    "res_id": self.order_draft.id,
                    "order_id": self.order_draft.id,
                    "group_id": rev.group_id.id,
                    "state": "approved",
                }
            ],
        )
        for vals in (
            {"state": "approved"},
            {"state": "cancelled"},
            {"reviewer_id": self.users["production"].id},
            {"decision_date": "2026-01-01 10:00:00"},
            {"deadline": "2099-01-01 10:00:00"},
            {"group_id": self.env.ref("base.group_user").id},
            {"comment": "fine", "state": "approved"},
            {"sequence": 99},
        ):
            matrix += a(
                f"write review {sorted(vals)}",
                self._everyone(ACCESS),
                "fulfilment.review",
                "write",
                [rev.ids, vals],
            )
        matrix += a(
            "comment a review",
            self._everyone(ACCESS, production=OK, fmanager=OK),
            "fulfilment.review",
            "write",
            [rev.ids, {"comment": "Capacity checked"}],
        )
        matrix += a("delete a review", self._everyone(ACCESS), "fulfilment.review", "unlink", [rev.ids])
        matrix += a(
            "approve the production review",
            self._everyone(ACCESS, production=OK, fmanager=OK),
            "fulfilment.review",
            "action_approve",
            [rev.ids],
            check=lambda __: self.assertEqual(rev.state, "approved"),
        )
        matrix += a(
            "reject without a reason",
            ["production", "fmanager"],
            "fulfilment.review",
            "action_reject",
            [rev.ids],
            expect=USER,
        )
        matrix += a(
            "reject with a blank reason",
            ["production"],
            "fulfilment.review",
            "action_reject",
            [rev.ids],
            {"comment": "   "},
            expect=USER,
        )
        matrix += a(
            "reject with a reason",
            self._everyone(ACCESS, production=OK, fmanager=OK),
            "fulfilment.review",
            "action_reject",
            [rev.ids],
            {"comment": "No capacity in March"},
            check=lambda __: self.assertEqual(self.order_pending.review_state, "rejected"),
        )
        # Each reviewer decides the review of their own department only.
        for key in REVIEWERS:
            matrix += a(
                f"approve the {key} review",
                self._everyone(
                    ACCESS, **{key: OK, "fmanager": OK, **({"sales_tech": OK} if key == "technical" else {})}
                ),
                "fulfilment.review",
                "action_approve",
                [self.reviews[key].ids],
            )
        matrix += a(
            "approve all reviews at once",
            self._everyone(ACCESS, fmanager=OK),
            "fulfilment.review",
            "action_approve",
            [self.order_pending.review_ids.ids],
            check=lambda __: self.assertEqual(self.order_pending.review_state, "approved"),
        )
        for context in BYPASS_CONTEXTS:
            matrix += a(
                f"approve with {context}",
                ["salesman", "technical", "director"],
                "fulfilment.review",
                "action_approve",
                [rev.ids],
                {"context": context},
                expect=ACCESS,
            )
        # The salesperson who requested a review may not sign it, even as a member of the group.
        matrix += a(
            "sign one's own order",
            {"sales_tech": USER, "technical": OK},
            "fulfilment.review",
            "action_approve",
            [self.rev_self.ids],
        )
        matrix += a(
            "approve twice",
            ["technical"],
            "fulfilment.review",
            "action_approve",
            [(self.rev_self | self.rev_self).ids],
        )
        # Through the order: the review lines cannot be forged either.
        for label, commands in (
            ("approve through the order", [Command.update(rev.id, {"state": "approved"})]),
            (
                "add a review through the order",
                [Command.create({"group_id": rev.group_id.id, "state": "approved"})],
            ),
            ("delete a review through the order", [Command.delete(rev.id)]),
            ("unlink reviews through the order", [Command.clear()]),
        ):
            matrix += a(
                label,
                ["salesman", "director", "fmanager"],
                "sale.order",
                "write",
                [self.order_pending.ids, {"review_ids": commands}],
                expect=ACCESS,
            )
        # Company B's review is out of reach of company A's reviewers, and the other way round.
        matrix += a(
            "approve the other company's review",
            ["production", "fmanager"],
            "fulfilment.review",
            "action_approve",
            [self.rev_b.ids],
            expect=ACCESS,
        )
        matrix += a(
            "read the other company's review",
            ["production", "fmanager", "director"],
            "fulfilment.review",
            "read",
            [self.rev_b.ids, ["state"]],
            expect=ACCESS,
        )
        matrix += a(
            "approve company A's review from company B",
            ["b_manager"],
            "fulfilment.review",
            "action_approve",
            [rev.ids],
            expect=ACCESS,
        )
        matrix += a(
            "approve with company A forced into the context",
            ["b_manager"],
            "fulfilment.review",
            "action_approve",
            [rev.ids],
            {"context": {"allowed_company_ids": [self.company_a.id, self.company_b.id]}},
            expect=ACCESS,
        )
        matrix += a(
            "list reviews from company B",
            ["b_manager"],
            "fulfilment.review",
            "search_read",
            [[], ["company_id"]],
            check=lambda rows: self.assertEqual({row["company_id"][0] for row in rows}, {self.company_b.id}),
        )
        self._run_matrix(matrix)

    # ------------------------------------------------------------------
    # The gate on orders
    # ------------------------------------------------------------------
    def test_order_gate_matrix(self):
        a = self._a
        pending, draft = self.order_pending, self.order_draft
        no_write = {
            key: ACCESS
            for key in ("plain", "agent", "as_manager", "portal", "b_salesman", "b_agent", *REVIEWERS)
        }
        matrix = []
        # The reviewers read the order under review: the gate refuses them before the access rights.
        readers = {key: USER for key in ("sales_tech", *REVIEWERS)}
        for order, label, gated in ((pending, "under review", readers), (draft, "not yet requested", {})):
            matrix += a(
                f"confirm an order {label}",
                self._everyone(USER, salesman2=ACCESS, sales_tech=ACCESS, b_manager=ACCESS, **no_write),
                "sale.order",
                "action_confirm",
                [order.ids],
            )
            matrix += a(
                f"write state=sale on an order {label}",
                self._everyone(
                    USER,
                    **{"salesman2": ACCESS, "sales_tech": ACCESS, "b_manager": ACCESS, **no_write, **gated},
                ),
                "sale.order",
                "write",
                [order.ids, {"state": "sale"}],
            )
        for vals in ({"review_state": "approved"}, {"review_state": "none"}, {"review_round": 0}):
            matrix += a(
                f"write {vals}",
                ["salesman", "director", "sales_manager", "fmanager"],
                "sale.order",
                "write",
                [pending.ids, vals],
                expect=USER,
            )
        for context in BYPASS_CONTEXTS:
            for method, args in (
                ("action_confirm", [pending.ids]),
                ("write", [pending.ids, {"state": "sale"}]),
            ):
                matrix += a(
                    f"{method} with {context}",
                    ["salesman", "director", "fmanager"],
                    "sale.order",
                    method,
                    args,
                    {"context": context},
                    expect=USER,
                )
        matrix += a(
            "confirm with a company one is not in",
            ["salesman", "director"],
            "sale.order",
            "action_confirm",
            [pending.ids],
            {"context": {"allowed_company_ids": [self.company_a.id, self.company_b.id]}},
            expect=ACCESS,
        )
        matrix += a(
            "confirm another salesperson's order under review",
            {"salesman": ACCESS, "director": USER},
            "sale.order",
            "write",
            [self.order_self.ids, {"state": "sale"}],
            expect=USER,
        )
        # A cancelled quotation is not a way around its review.
        matrix += a(
            "write state=sale on a cancelled quotation",
            ["salesman", "director", "fmanager"],
            "sale.order",
            "write",
            [self.order_cancelled.ids, {"state": "sale"}],
            expect=USER,
        )
        # Nor is creating the order confirmed.
        new_order = {
            "partner_id": self.customer.id,
            "order_line": [
                Command.create({"product_id": self.pump.id, "product_uom_qty": 1, "price_unit": 1000})
            ],
        }
        matrix += a(
            "create an order already confirmed",
            ["salesman", "director", "fmanager"],
            "sale.order",
            "create",
            [{**new_order, "state": "sale"}],
            expect=USER,
        )
        matrix += a(
            "create an order confirmed by a context default",
            ["salesman", "director"],
            "sale.order",
            "create",
            [new_order],
            {"context": {"default_state": "sale"}},
            expect=USER,
        )
        matrix += a(
            "create an order with its review approved",
            ["salesman", "director"],
            "sale.order",
            "create",
            [{**new_order, "review_state": "approved"}],
            expect=USER,
        )
        matrix += a(
            "create an order approved by a context default",
            ["salesman"],
            "sale.order",
            "create",
            [new_order],
            {"context": {"default_review_state": "approved"}},
            check=lambda order_id: self.assertEqual(
                self.env["sale.order"].browse(order_id).review_state, "draft"
            ),
        )
        matrix += a(
            "a small order needs no review",
            ["salesman"],
            "sale.order",
            "create",
            [
                {
                    **new_order,
                    "order_line": [Command.create({"product_id": self.kit.id, "product_uom_qty": 1})],
                }
            ],
        )
        matrix += a(
            "request the review again",
            self._everyone(ACCESS, salesman=USER, director=USER, sales_manager=USER, fmanager=USER),
            "sale.order",
            "action_request_review",
            [pending.ids],
        )
        matrix += a(
            "request the review",
            self._everyone(ACCESS, salesman=OK, director=OK, sales_manager=OK, fmanager=OK),
            "sale.order",
            "action_request_review",
            [draft.ids],
            check=lambda __: self.assertEqual(draft.review_state, "pending"),
        )
        # Delivery release: finance only, and only for the orders it can read (finance reads the
        # confirmed orders of its companies that wait for payment, without sales rights).
        matrix += a(
            "release a delivery",
            self._everyone(ACCESS, fmanager=OK, finance=OK),
            "sale.order",
            "action_release_delivery",
            [self.order_class_b.ids],
            check=lambda __: self.assertTrue(self.order_class_b.delivery_released),
        )
        matrix += a(
            "release the delivery of an order one reviews",
            ["finance"],
            "sale.order",
            "action_release_delivery",
            [pending.ids],
        )
        matrix += a(
            "write the release directly",
            ["salesman", "director", "sales_manager"],
            "sale.order",
            "write",
            [self.order_class_b.ids, {"fulfilment_released_by_id": self.users["salesman"].id}],
            expect=ACCESS,
        )
        matrix += a(
            "read the other company's order",
            ["salesman", "director", "fmanager", "production"],
            "sale.order",
            "read",
            [self.order_b.ids, ["name"]],
            expect=ACCESS,
        )
        matrix += a(
            "read company A's order from company B",
            ["b_salesman", "b_manager"],
            "sale.order",
            "read",
            [pending.ids, ["name"]],
            expect=ACCESS,
        )
        self._run_matrix(matrix)

    # ------------------------------------------------------------------
    # Change requests
    # ------------------------------------------------------------------
    def test_change_request_matrix(self):
        a = self._a
        draft, submitted, approved = self.cr_draft, self.cr_submitted, self.cr_approved
        Model = "fulfilment.change.request"
        new_request = {"order_id": self.order_small.id, "change_type": "price", "reason": "Customer asked"}
        matrix = []
        matrix += a(
            "create a change request",
            self._everyone(ACCESS, salesman=OK, sales_manager=OK, director=OK, fmanager=OK, b_manager=ACCESS),
            Model,
            "create",
            [new_request],
        )
        for vals in (
            {"state": "approved"},
            {"state": "applied"},
            {"applied_date": "2026-01-01 10:00:00"},
            {"review_state": "approved"},
            {"response_deadline": "2099-01-01 10:00:00"},
        ):
            matrix += a(
                f"create a change request with {vals}",
                ["salesman", "sales_manager", "fmanager"],
                Model,
                "create",
                [{**new_request, **vals}],
                expect=ACCESS,
            )
        matrix += a(
            "create a change request approved by context defaults",
            ["salesman", "fmanager"],
            Model,
            "create",
            [new_request],
            {
                "context": {
                    "default_state": "approved",
                    "default_applied_date": "2026-01-01 10:00:00",
                    "default_review_state": "approved",
                    "default_user_id": self.users["director"].id,
                }
            },
            check=lambda request_id: self.assertEqual(
                self.env[Model].browse(request_id).read(["state", "applied_date", "review_state"])[0],
                {"id": request_id, "state": "draft", "applied_date": False, "review_state": "draft"},
            ),
        )
        for vals in (
            {"state": "approved"},
            {"state": "applied"},
            {"applied_date": "2026-01-01 10:00:00"},
            {"applied_by_id": self.users["director"].id},
            {"change_summary": "<p>done</p>"},
            {"response_deadline": "2099-01-01 10:00:00"},
            {"review_round": 9},
            {"name": "CR/FAKE"},
            {"user_id": self.users["director"].id},
        ):
            matrix += a(
                f"write a change request {sorted(vals)}",
                {
                    key: ACCESS
                    for key in ("salesman", "sales_manager", "director", "fmanager", "production", "plain")
                },
                Model,
                "write",
                [draft.ids, vals],
            )
        for context in BYPASS_CONTEXTS:
            matrix += a(
                f"approve a change request by writing with {context}",
                ["salesman", "sales_manager"],
                Model,
                "write",
                [submitted.ids, {"state": "approved"}],
                {"context": context},
                expect=ACCESS,
            )
            matrix += a(
                f"apply a submitted change request with {context}",
                ["salesman", "sales_manager"],
                Model,
                "action_apply",
                [submitted.ids],
                {"context": context},
                expect=USER,
            )
        matrix += a(
            "change what the reviewers sign",
            ["salesman", "sales_manager"],
            Model,
            "write",
            [submitted.ids, {"reason": "Something else"}],
            expect=USER,
        )
        matrix += a(
            "change a submitted line",
            ["salesman", "sales_manager"],
            "fulfilment.change.request.line",
            "write",
            [submitted.line_ids.ids, {"new_qty": 99}],
            expect=USER,
        )
        matrix += a(
            "write the current values of a line",
            ["salesman", "sales_manager", "fmanager"],
            "fulfilment.change.request.line",
            "write",
            [draft.line_ids.ids, {"old_qty": 99}],
            expect=ACCESS,
        )
        matrix += a(
            "add a line to a submitted request",
            ["salesman"],
            "fulfilment.change.request.line",
            "create",
            [{"request_id": submitted.id, "sale_line_id": submitted.order_id.order_line[0].id, "new_qty": 9}],
            expect=USER,
        )
        matrix += a(
            "add another order's line",
            ["salesman"],
            "fulfilment.change.request.line",
            "create",
            [{"request_id": draft.id, "sale_line_id": self.order_small.order_line[0].id, "new_qty": 9}],
            expect=USER,
        )
        matrix += a(
            "approve a change request's review through its lines",
            ["salesman", "sales_manager"],
            Model,
            "write",
            [submitted.ids, {"review_ids": [Command.update(self.rev_cr.id, {"state": "approved"})]}],
            expect=ACCESS,
        )
        matrix += a(
            "submit a change request",
            self._everyone(ACCESS, salesman=OK, sales_manager=OK, director=OK, fmanager=OK),
            Model,
            "action_submit",
            [draft.ids],
            check=lambda __: self.assertEqual(draft.state, "submitted"),
        )
        matrix += a(
            "submit twice",
            ["salesman", "sales_manager"],
            Model,
            "action_submit",
            [submitted.ids],
            expect=USER,
        )
        matrix += a(
            "approve one's own change request",
            {"salesman": ACCESS, "sales_manager": OK, "director": ACCESS, "production": ACCESS},
            "fulfilment.review",
            "action_approve",
            [self.rev_cr.ids],
        )
        matrix += a(
            "apply a submitted change request",
            ["salesman", "sales_manager", "director", "fmanager"],
            Model,
            "action_apply",
            [submitted.ids],
            expect=USER,
        )
        matrix += a(
            "apply a draft change request",
            ["salesman", "sales_manager"],
            Model,
            "action_apply",
            [draft.ids],
            expect=USER,
        )
        matrix += a(
            "apply an approved change request",
            self._everyone(ACCESS, salesman=OK, sales_manager=OK, director=OK, fmanager=OK),
            Model,
            "action_apply",
            [approved.ids],
            check=lambda __: self.assertEqual(
                (approved.state, approved.order_id.order_line.product_uom_qty), ("applied", 3.0)
            ),
        )
        matrix += a(
            "apply an approved change request twice in one call",
            ["salesman"],
            Model,
            "action_apply",
            [[approved.id, approved.id]],
            check=lambda __: self.assertEqual(approved.order_id.order_line.product_uom_qty, 3.0),
        )
        matrix += a(
            "apply with the other company in the context",
            ["salesman"],
            Model,
            "action_apply",
            [approved.ids],
            {"context": {"allowed_company_ids": [self.company_b.id]}},
            expect=ACCESS,
        )
        matrix += a(
            "cancel a change request",
            # Only the requester or a sales manager.
            self._everyone(ACCESS, salesman=OK, sales_manager=OK),
            Model,
            "action_cancel",
            [submitted.ids],
            check=lambda __: self.assertEqual(submitted.state, "cancelled"),
        )
        matrix += a(
            "delete a change request",
            self._everyone(ACCESS, sales_manager=USER),
            Model,
            "unlink",
            [submitted.ids],
        )
        matrix += a(
            "delete a draft change request",
            self._everyone(ACCESS, sales_manager=OK),
            Model,
            "unlink",
            [draft.ids],
        )
        matrix += a(
            "move a draft request to another company's order",
            ["salesman", "director"],
            Model,
            "write",
            [draft.ids, {"order_id": self.order_b.id}],
            expect=ACCESS,
        )
        matrix += a(
            "read the other company's change request",
            ["salesman", "director", "fmanager", "sales_manager"],
            Model,
            "read",
            [self.cr_b.ids, ["name"]],
            expect=ACCESS,
        )
        matrix += a(
            "read company A's change request from company B",
            ["b_salesman", "b_manager"],
            Model,
            "read",
            [draft.ids, ["name"]],
            expect=ACCESS,
        )
        matrix += a(
            "submit company A's change request from company B",
            ["b_manager"],
            Model,
            "action_submit",
            [draft.ids],
            expect=ACCESS,
        )
        matrix += a(
            "list change requests from company B",
            ["b_manager"],
            Model,
            "search_read",
            [[], ["company_id"]],
            {"context": {"active_test": False}},
            check=lambda rows: self.assertEqual({row["company_id"][0] for row in rows}, {self.company_b.id}),
        )
        self._run_matrix(matrix)

    # ------------------------------------------------------------------
    # After-sales tickets
    # ------------------------------------------------------------------
    def test_ticket_matrix(self):
        a = self._a
        ticket = self.ticket
        Model = "fulfilment.ticket"
        agents = {"agent": OK, "as_manager": OK, "fmanager": OK}
        new_ticket = {"partner_id": self.customer.id, "ticket_type": "repair", "description": "Leaks"}
        matrix = []
        matrix += a(
            "open a ticket",
            # Company B's agents open it in their own company.
            self._everyone(ACCESS, b_agent=OK, b_manager=OK, **agents),
            Model,
            "create",
            [new_ticket],
        )
        for vals in (
            {"state": "closed"},
            {"sla_state": "met"},
            {"first_contact_date": "2026-01-01 10:00:00"},
            {"assigned_date": "2026-01-01 10:00:00"},
            {"assign_deadline": "2099-01-01 10:00:00"},
            {"contact_escalated": True},
        ):
            matrix += a(
                f"open a ticket with {vals}",
                list(agents),
                Model,
                "create",
                [{**new_ticket, **vals}],
                expect=USER,
            )
        matrix += a(
            "open a ticket closed by context defaults",
            list(agents),
            Model,
            "create",
            [new_ticket],
            {
                "context": {
                    "default_state": "closed",
                    "default_sla_state": "met",
                    "default_first_contact_date": "2026-01-01 10:00:00",
                }
            },
            check=lambda ticket_id: self.assertEqual(
                self.env[Model].browse(ticket_id).read(["state", "sla_state", "first_contact_date"])[0],
                {"id": ticket_id, "state": "new", "sla_state": "on_track", "first_contact_date": False},
            ),
        )
        matrix += a(
            "open a ticket in a company one is not in",
            list(agents),
            Model,
            "create",
            [{**new_ticket, "company_id": self.company_b.id}],
            expect=ACCESS,
        )
        for vals in (
            {"state": "closed"},
            {"state": "resolved"},
            {"sla_state": "met"},
            {"assign_deadline": "2099-01-01 10:00:00"},
            {"contact_deadline": "2099-01-01 10:00:00"},
            {"assigned_date": "2026-01-01 10:00:00"},
            {"first_contact_date": "2026-01-01 10:00:00"},
            {"resolved_date": "2026-01-01 10:00:00"},
            {"assign_escalated": True},
            {"sla_checked_at": "2099-01-01 10:00:00"},
            {"return_picking_ids": [Command.set([])]},
            {"replacement_order_id": self.order_small.id},
        ):
            matrix += a(
                f"write ticket {sorted(vals)}",
                {
                    **dict.fromkeys(agents, USER),
                    # Refused either by the access rights or by the protected-field check.
                    **dict.fromkeys(("salesman", "director", "portal", "plain", "b_manager"), (ACCESS, USER)),
                },
                Model,
                "write",
                [ticket.ids, vals],
            )
        for context in BYPASS_CONTEXTS:
            matrix += a(
                f"close a ticket by writing with {context}",
                ["agent", "as_manager"],
                Model,
                "write",
                [ticket.ids, {"state": "closed", "sla_state": "met"}],
                {"context": context},
                expect=USER,
            )
        matrix += a(
            "edit a ticket",
            self._everyone(ACCESS, **agents),
            Model,
            "write",
            [ticket.ids, {"description": "Edited"}],
        )
        matrix += a(
            "move a ticket to a company one is not in",
            list(agents),
            Model,
            "write",
            [ticket.ids, {"company_id": self.company_b.id}],
            expect=ACCESS,
        )
        non_agents = {key: USER for key in self.users if key not in agents}
        non_agents.update(b_agent=ACCESS, b_manager=ACCESS)
        matrix += a(
            "assign a ticket",
            {**non_agents, **agents},
            Model,
            "action_assign",
            [ticket.ids],
            check=lambda __: self.assertEqual(ticket.state, "assigned"),
        )
        matrix += a(
            "assign a ticket to a salesperson",
            ["agent"],
            Model,
            "action_assign",
            [ticket.ids],
            {"user_id": self.users["salesman"].id},
            expect=USER,
        )
        matrix += a(
            "assign a ticket to an agent of another company",
            ["agent", "as_manager"],
            Model,
            "action_assign",
            [ticket.ids],
            {"user_id": self.users["b_agent"].id},
            expect=USER,
        )
        matrix += a(
            "assign a ticket to an archived agent",
            ["agent"],
            Model,
            "action_assign",
            [ticket.ids],
            {"user_id": self.archived_agent.id},
            expect=USER,
        )
        for method in ("action_contact", "action_start", "action_resolve", "action_close"):
            matrix += a(
                f"{method} on a new ticket",
                list(agents),
                Model,
                method,
                [ticket.ids],
                expect=USER,
            )
        matrix += a(
            "create a return without a delivery",
            ["agent"],
            Model,
            "action_create_return",
            [ticket.ids],
            expect=USER,
        )
        matrix += a(
            "create a replacement without a product",
            ["agent"],
            Model,
            "action_create_replacement",
            [ticket.ids],
            expect=USER,
        )
        matrix += a(
            "cancel a ticket",
            {**non_agents, **agents},
            Model,
            "action_cancel",
            [ticket.ids],
        )
        matrix += a(
            "delete a ticket",
            self._everyone(ACCESS, as_manager=OK, fmanager=OK),
            Model,
            "unlink",
            [ticket.ids],
        )
        matrix += a(
            "read a ticket",
            self._everyone(
                ACCESS, salesman=OK, sales_manager=OK, director=OK, portal=OK, sales_tech=ACCESS, **agents
            ),
            Model,
            "read",
            [ticket.ids, ["name", "state"]],
        )
        matrix += a(
            "read another customer's ticket",
            ["portal", "salesman"],
            Model,
            "read",
            [self.ticket_other.ids, ["name"]],
            expect=ACCESS,
        )
        # Portal customers see their own tickets only, and none of the internal documents.
        matrix += a(
            "list tickets as a customer",
            ["portal"],
            Model,
            "search_read",
            [[], ["name"]],
            {"context": {"active_test": False}},
            check=lambda rows: self.assertEqual([row["id"] for row in rows], ticket.ids),
        )
        for model in (
            "fulfilment.review",
            "fulfilment.review.rule",
            "fulfilment.change.request",
            "fulfilment.change.request.line",
        ):
            matrix += a(
                f"list {model} as a customer",
                ["portal"],
                model,
                "search_read",
                [[], ["id"]],
                expect=ACCESS,
            )
        matrix += a(
            "post on a ticket as a customer through write",
            ["portal"],
            Model,
            "write",
            [ticket.ids, {"description": "Changed by the customer"}],
            expect=ACCESS,
        )
        # Multi-company.
        matrix += a(
            "read company A's ticket from company B",
            ["b_agent", "b_manager", "b_salesman"],
            Model,
            "read",
            [ticket.ids, ["name"]],
            expect=ACCESS,
        )
        matrix += a(
            "edit company A's ticket from company B",
            ["b_agent", "b_manager"],
            Model,
            "write",
            [ticket.ids, {"description": "From B"}],
            expect=ACCESS,
        )
        matrix += a(
            "read company B's ticket with force_company",
            ["agent", "as_manager", "fmanager"],
            Model,
            "read",
            [self.ticket_b.ids, ["name"]],
            {"context": {"force_company": self.company_b.id}},
            expect=ACCESS,
        )
        matrix += a(
            "read company B's ticket with allowed_company_ids",
            ["agent", "fmanager"],
            Model,
            "read",
            [self.ticket_b.ids, ["name"]],
            {"context": {"allowed_company_ids": [self.company_b.id]}},
            expect=ACCESS,
        )
        matrix += a(
            "list tickets from company B",
            ["b_agent", "b_manager"],
            Model,
            "search_read",
            [[], ["company_id"]],
            {"context": {"active_test": False}},
            check=lambda rows: self.assertEqual([row["id"] for row in rows], self.ticket_b.ids),
        )
        self._run_matrix(matrix)

    def test_portal_pages_show_own_tickets_only(self):
        self.authenticate("sec_portal", "sec_portal")
        listing = self.url_open("/my/tickets")
        self.assertEqual(listing.status_code, 200)
        # Each company numbers its tickets: compare the links, not the references.
        self.assertIn(f"/my/tickets/{self.ticket.id}", listing.text)
        self.assertNotIn(f"/my/tickets/{self.ticket_other.id}", listing.text)
        self.assertNotIn(f"/my/tickets/{self.ticket_b.id}", listing.text)
        for other in (self.ticket_other, self.ticket_b):
            response = self.url_open(f"/my/tickets/{other.id}", allow_redirects=False)
            self.assertIn(response.status_code, (302, 303, 403))
            self.assertNotIn(other.description, response.text)
