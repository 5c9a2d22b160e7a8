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


class _Matrix(list):
    """The attacks of one matrix, on ``model`` unless an attack names another model: each a
    (label, user key, model, method, args, kwargs, expected outcome, check) tuple."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def add(self, label, users, method, args, kwargs=None, expect=OK, check=None, model=None):
        """One call by several users: users is {user key: expected outcome} or a list."""
        if not isinstance(users, dict):
            users = dict.fromkeys(users, expect)
        self.extend(
            (label, user_key, model or self.model, method, args, dict(kwargs or {}), outcome, check)
            for user_key, outcome in users.items()
        )

    def bypassing(self, label, users, method, args, expect):
        """The call once with each context that must open no way around the rules."""
        for context in BYPASS_CONTEXTS:
            self.add(f"{label} with {context}", users, method, args, {"context": context}, expect)

    def writing(self, label, users, records, values, expect=OK):
        """A write of each of ``values`` on ``records``, labelled with the fields it writes."""
        for vals in values:
            self.add(f"{label} {sorted(vals)}", users, "write", [records.ids, vals], expect=expect)

    def creating(self, label, users, new, values, expect):
        """A create of ``new`` with each of ``values`` added."""
        for vals in values:
            self.add(f"{label} {vals}", users, "create", [{**new, **vals}], expect=expect)


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

    def _everyone(self, default, **overrides):
        """{every user key: default}, with some outcomes overridden."""
        outcomes = dict.fromkeys(self.users, default)
        outcomes.update(overrides)
        return outcomes

    def _company_b_lists_only(self, matrix, label, users, method_kwargs=None):
        """Company B's users list records of their own company only."""
        matrix.add(
            label,
            users,
            "search_read",
            [[], ["company_id"]],
            method_kwargs,
            check=lambda rows: self.assertEqual({row["company_id"][0] for row in rows}, {self.company_b.id}),
        )

    # ------------------------------------------------------------------
    # Rules
    # ------------------------------------------------------------------
    def test_review_rule_matrix(self):
        rule = self.rule
        group = self.env.ref("order_fulfilment.group_review_quality")
        new_rule = {"name": "Sneaky rule", "group_id": group.id, "company_id": self.company_a.id}
        loosen = [rule.ids, {"min_amount": 1e9}]
        m = _Matrix("fulfilment.review.rule")
        outsiders = dict.fromkeys(("portal", "b_salesman", "b_agent", "b_manager"), ACCESS)
        m.add("read a rule", self._everyone(OK, **outsiders), "read", [rule.ids, ["name", "min_amount"]])
        managers = self._everyone(ACCESS, fmanager=OK)
        m.add("create a rule", managers, "create", [new_rule])
        m.add("loosen a rule", managers, "write", loosen)
        m.add("archive a rule", managers, "write", [rule.ids, {"active": False}])
        m.add("delete a rule", managers, "unlink", [rule.ids])
        m.bypassing("loosen a rule", ["salesman", "director", "technical"], "write", loosen, ACCESS)
        # Company B's manager sees none of company A's rules, archived ones included.
        a_rule_ids = set((self.rules | self.archived_rule).ids)
        m.add(
            "list rules of the other company, archived too",
            ["b_manager", "b_salesman"],
            "search_read",
            [[], ["name"]],
            {"context": {"active_test": False}},
            check=lambda rows: self.assertFalse({row["id"] for row in rows} & a_rule_ids),
        )
        b_users = self._everyone(ACCESS, b_manager=OK, b_salesman=OK, b_agent=OK)
        m.add("read the other company's rule", b_users, "read", [self.rule_b.ids, ["name"]])
        m.add("create a rule in the other company", ["b_manager"], "create", [new_rule], expect=ACCESS)
        m.add(
            "move own rule to a company one is not in",
            ["fmanager"],
            "write",
            [rule.ids, {"company_id": self.company_b.id}],
            expect=ACCESS,
        )
        self._run_matrix(m)

    # ------------------------------------------------------------------
    # Reviews
    # ------------------------------------------------------------------
    def test_review_matrix(self):
        rev = self.rev_prod
        readers = {
            key: OK for key in ("salesman", "sales_manager", "director", "fmanager", "sales_tech", *REVIEWERS)
        }
        deciders = self._everyone(ACCESS, production=OK, fmanager=OK)
        m = _Matrix("fulfilment.review")
        m.add(
            "read a review",
            self._everyone(ACCESS, **readers),
            "read",
            [rev.ids, ["state", "reviewer_id", "decision_date"]],
        )
        forged = {
            "res_model": "sale.order",
            "res_id": self.order_draft.id,
            "order_id": self.order_draft.id,
            "group_id": rev.group_id.id,
            "state": "approved",
        }
        m.add("forge a review", self._everyone(ACCESS), "create", [forged])
        m.writing(
            "write review",
            self._everyone(ACCESS),
            rev,
            (
                {"state": "approved"},
                {"state": "cancelled"},
                {"reviewer_id": self.users["production"].id},
                {"decision_date": "2026-01-01 10:00:00"},
                {"deadline": "2099-01-01 10:00:00"},
                {"group_id": self.env.ref("base.group_user").id},
                {"comment": "fine", "state": "approved"},
                {"sequence": 99},
            ),
        )
        m.add("comment a review", deciders, "write", [rev.ids, {"comment": "Capacity checked"}])
        m.add("delete a review", self._everyone(ACCESS), "unlink", [rev.ids])
        m.add(
            "approve the production review",
            deciders,
            "action_approve",
            [rev.ids],
            check=lambda __: self.assertEqual(rev.state, "approved"),
        )
        m.add("reject without a reason", ["production", "fmanager"], "action_reject", [rev.ids], expect=USER)
        m.add(
            "reject with a blank reason", ["production"], "action_reject", [rev.ids], {"comment": "   "}, USER
        )
        m.add(
            "reject with a reason",
            deciders,
            "action_reject",
            [rev.ids],
            {"comment": "No capacity in March"},
            check=lambda __: self.assertEqual(self.order_pending.review_state, "rejected"),
        )
        # Each reviewer decides the review of their own department only.
        for key in REVIEWERS:
            signers = {key: OK, "fmanager": OK, **({"sales_tech": OK} if key == "technical" else {})}
            m.add(
                f"approve the {key} review",
                self._everyone(ACCESS, **signers),
                "action_approve",
                [self.reviews[key].ids],
            )
        m.add(
            "approve all reviews at once",
            self._everyone(ACCESS, fmanager=OK),
            "action_approve",
            [self.order_pending.review_ids.ids],
            check=lambda __: self.assertEqual(self.order_pending.review_state, "approved"),
        )
        m.bypassing("approve", ["salesman", "technical", "director"], "action_approve", [rev.ids], ACCESS)
        # The salesperson who requested a review may not sign it, even as a member of the group.
        sign_own = {"sales_tech": USER, "technical": OK}
        m.add("sign one's own order", sign_own, "action_approve", [self.rev_self.ids])
        m.add("approve twice", ["technical"], "action_approve", [(self.rev_self | self.rev_self).ids])
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
            m.add(
                label,
                ["salesman", "director", "fmanager"],
                "write",
                [self.order_pending.ids, {"review_ids": commands}],
                expect=ACCESS,
                model="sale.order",
            )
        # Company B's review is out of reach of company A's reviewers, and the other way round.
        approve_b = "approve the other company's review"
        m.add(approve_b, ["production", "fmanager"], "action_approve", [self.rev_b.ids], expect=ACCESS)
        read_b = "read the other company's review"
        m.add(
            read_b, ["production", "fmanager", "director"], "read", [self.rev_b.ids, ["state"]], None, ACCESS
        )
        from_b = "approve company A's review from company B"
        m.add(from_b, ["b_manager"], "action_approve", [rev.ids], expect=ACCESS)
        both = {"context": {"allowed_company_ids": [self.company_a.id, self.company_b.id]}}
        forced = "approve with company A forced into the context"
        m.add(forced, ["b_manager"], "action_approve", [rev.ids], both, ACCESS)
        self._company_b_lists_only(m, "list reviews from company B", ["b_manager"])
        self._run_matrix(m)

    # ------------------------------------------------------------------
    # The gate on orders
    # ------------------------------------------------------------------
    def test_order_gate_matrix(self):
        pending, draft = self.order_pending, self.order_draft
        no_write = {
            key: ACCESS
            for key in ("plain", "agent", "as_manager", "portal", "b_salesman", "b_agent", *REVIEWERS)
        }
        refused = {"salesman2": ACCESS, "sales_tech": ACCESS, "b_manager": ACCESS, **no_write}
        sellers = ["salesman", "director", "fmanager"]
        m = _Matrix("sale.order")
        # The reviewers read the order under review: the gate refuses them before the access rights.
        readers = {key: USER for key in ("sales_tech", *REVIEWERS)}
        for order, label, gated in ((pending, "under review", readers), (draft, "not yet requested", {})):
            m.add(f"confirm an order {label}", self._everyone(USER, **refused), "action_confirm", [order.ids])
            m.add(
                f"write state=sale on an order {label}",
                self._everyone(USER, **{**refused, **gated}),
                "write",
                [order.ids, {"state": "sale"}],
            )
        for vals in ({"review_state": "approved"}, {"review_state": "none"}, {"review_round": 0}):
            managers = ["salesman", "director", "sales_manager", "fmanager"]
            m.add(f"write {vals}", managers, "write", [pending.ids, vals], expect=USER)
        for method, args in (("action_confirm", [pending.ids]), ("write", [pending.ids, {"state": "sale"}])):
            m.bypassing(method, sellers, method, args, USER)
        m.add(
            "confirm with a company one is not in",
            ["salesman", "director"],
            "action_confirm",
            [pending.ids],
            {"context": {"allowed_company_ids": [self.company_a.id, self.company_b.id]}},
            expect=ACCESS,
        )
        m.add(
            "confirm another salesperson's order under review",
            {"salesman": ACCESS, "director": USER},
            "write",
            [self.order_self.ids, {"state": "sale"}],
        )
        # A cancelled quotation is not a way around its review.
        cancelled = [self.order_cancelled.ids, {"state": "sale"}]
        m.add("write state=sale on a cancelled quotation", sellers, "write", cancelled, expect=USER)
        # Nor is creating the order confirmed.
        new_order = {
            "partner_id": self.customer.id,
            "order_line": [
                Command.create({"product_id": self.pump.id, "product_uom_qty": 1, "price_unit": 1000})
            ],
        }
        confirmed = [{**new_order, "state": "sale"}]
        m.add("create an order already confirmed", sellers, "create", confirmed, expect=USER)
        m.add(
            "create an order confirmed by a context default",
            ["salesman", "director"],
            "create",
            [new_order],
            {"context": {"default_state": "sale"}},
            expect=USER,
        )
        approved = [{**new_order, "review_state": "approved"}]
        m.add(
            "create an order with its review approved",
            ["salesman", "director"],
            "create",
            approved,
            None,
            USER,
        )
        m.add(
            "create an order approved by a context default",
            ["salesman"],
            "create",
            [new_order],
            {"context": {"default_review_state": "approved"}},
            check=lambda order_id: self.assertEqual(
                self.env["sale.order"].browse(order_id).review_state, "draft"
            ),
        )
        small = [
            {**new_order, "order_line": [Command.create({"product_id": self.kit.id, "product_uom_qty": 1})]}
        ]
        m.add("a small order needs no review", ["salesman"], "create", small)
        sales = ("salesman", "director", "sales_manager", "fmanager")
        m.add(
            "request the review again",
            self._everyone(ACCESS, **dict.fromkeys(sales, USER)),
            "action_request_review",
            [pending.ids],
        )
        m.add(
            "request the review",
            self._everyone(ACCESS, **dict.fromkeys(sales, OK)),
            "action_request_review",
            [draft.ids],
            check=lambda __: self.assertEqual(draft.review_state, "pending"),
        )
        # Delivery release: finance only, and only for the orders it can read (finance reads the
        # confirmed orders of its companies that wait for payment, without sales rights).
        m.add(
            "release a delivery",
            self._everyone(ACCESS, fmanager=OK, finance=OK),
            "action_release_delivery",
            [self.order_class_b.ids],
            check=lambda __: self.assertTrue(self.order_class_b.delivery_released),
        )
        m.add(
            "release the delivery of an order one reviews",
            ["finance"],
            "action_release_delivery",
            [pending.ids],
        )
        m.add(
            "write the release directly",
            ["salesman", "director", "sales_manager"],
            "write",
            [self.order_class_b.ids, {"fulfilment_released_by_id": self.users["salesman"].id}],
            expect=ACCESS,
        )
        read_b = [self.order_b.ids, ["name"]]
        m.add("read the other company's order", [*sellers, "production"], "read", read_b, expect=ACCESS)
        from_b = ["b_salesman", "b_manager"]
        m.add("read company A's order from company B", from_b, "read", [pending.ids, ["name"]], expect=ACCESS)
        self._run_matrix(m)

    # ------------------------------------------------------------------
    # Change requests
    # ------------------------------------------------------------------
    def test_change_request_matrix(self):
        draft, submitted, approved = self.cr_draft, self.cr_submitted, self.cr_approved
        Model = "fulfilment.change.request"
        Line = "fulfilment.change.request.line"
        new_request = {"order_id": self.order_small.id, "change_type": "price", "reason": "Customer asked"}
        requesters = self._everyone(ACCESS, salesman=OK, sales_manager=OK, director=OK, fmanager=OK)
        sales = ["salesman", "sales_manager"]
        m = _Matrix(Model)
        m.add("create a change request", requesters, "create", [new_request])
        m.creating(
            "create a change request with",
            ["salesman", "sales_manager", "fmanager"],
            new_request,
            (
                {"state": "approved"},
                {"state": "applied"},
                {"applied_date": "2026-01-01 10:00:00"},
                {"review_state": "approved"},
                {"response_deadline": "2099-01-01 10:00:00"},
            ),
            ACCESS,
        )
        m.add(
            "create a change request approved by context defaults",
            ["salesman", "fmanager"],
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
        m.writing(
            "write a change request",
            dict.fromkeys(
                ("salesman", "sales_manager", "director", "fmanager", "production", "plain"), ACCESS
            ),
            draft,
            (
                {"state": "approved"},
                {"state": "applied"},
                {"applied_date": "2026-01-01 10:00:00"},
                {"applied_by_id": self.users["director"].id},
                {"change_summary": "<p>done</p>"},
                {"response_deadline": "2099-01-01 10:00:00"},
                {"review_round": 9},
                {"name": "CR/FAKE"},
                {"user_id": self.users["director"].id},
            ),
        )
        approve = [submitted.ids, {"state": "approved"}]
        m.bypassing("approve a change request by writing", sales, "write", approve, ACCESS)
        m.bypassing("apply a submitted change request", sales, "action_apply", [submitted.ids], USER)
        resign = [submitted.ids, {"reason": "Something else"}]
        m.add("change what the reviewers sign", sales, "write", resign, expect=USER)
        line_qty = [submitted.line_ids.ids, {"new_qty": 99}]
        m.add("change a submitted line", sales, "write", line_qty, expect=USER, model=Line)
        old_qty = [draft.line_ids.ids, {"old_qty": 99}]
        m.add(
            "write the current values of a line",
            [*sales, "fmanager"],
            "write",
            old_qty,
            None,
            ACCESS,
            model=Line,
        )
        for label, request, sale_line in (
            ("add a line to a submitted request", submitted, submitted.order_id.order_line[0]),
            ("add another order's line", draft, self.order_small.order_line[0]),
        ):
            new_line = {"request_id": request.id, "sale_line_id": sale_line.id, "new_qty": 9}
            m.add(label, ["salesman"], "create", [new_line], expect=USER, model=Line)
        m.add(
            "approve a change request's review through its lines",
            sales,
            "write",
            [submitted.ids, {"review_ids": [Command.update(self.rev_cr.id, {"state": "approved"})]}],
            expect=ACCESS,
        )
        m.add(
            "submit a change request",
            requesters,
            "action_submit",
            [draft.ids],
            check=lambda __: self.assertEqual(draft.state, "submitted"),
        )
        m.add("submit twice", sales, "action_submit", [submitted.ids], expect=USER)
        own = {"salesman": ACCESS, "sales_manager": OK, "director": ACCESS, "production": ACCESS}
        m.add(
            "approve one's own change request",
            own,
            "action_approve",
            [self.rev_cr.ids],
            model="fulfilment.review",
        )
        appliers = [*sales, "director", "fmanager"]
        m.add("apply a submitted change request", appliers, "action_apply", [submitted.ids], expect=USER)
        m.add("apply a draft change request", sales, "action_apply", [draft.ids], expect=USER)
        m.add(
            "apply an approved change request",
            requesters,
            "action_apply",
            [approved.ids],
            check=lambda __: self.assertEqual(
                (approved.state, approved.order_id.order_line.product_uom_qty), ("applied", 3.0)
            ),
        )
        m.add(
            "apply an approved change request twice in one call",
            ["salesman"],
            "action_apply",
            [[approved.id, approved.id]],
            check=lambda __: self.assertEqual(approved.order_id.order_line.product_uom_qty, 3.0),
        )
        b_context = {"context": {"allowed_company_ids": [self.company_b.id]}}
        b_apply = "apply with the other company in the context"
        m.add(b_apply, ["salesman"], "action_apply", [approved.ids], b_context, ACCESS)
        m.add(
            "cancel a change request",
            # Only the requester or a sales manager.
            self._everyone(ACCESS, salesman=OK, sales_manager=OK),
            "action_cancel",
            [submitted.ids],
            check=lambda __: self.assertEqual(submitted.state, "cancelled"),
        )
        m.add(
            "delete a change request", self._everyone(ACCESS, sales_manager=USER), "unlink", [submitted.ids]
        )
        m.add(
            "delete a draft change request", self._everyone(ACCESS, sales_manager=OK), "unlink", [draft.ids]
        )
        to_b = [draft.ids, {"order_id": self.order_b.id}]
        m.add(
            "move a draft request to another company's order",
            ["salesman", "director"],
            "write",
            to_b,
            None,
            ACCESS,
        )
        read_b = [self.cr_b.ids, ["name"]]
        m.add("read the other company's change request", appliers, "read", read_b, expect=ACCESS)
        from_b = "read company A's change request from company B"
        m.add(from_b, ["b_salesman", "b_manager"], "read", [draft.ids, ["name"]], expect=ACCESS)
        submit_b = "submit company A's change request from company B"
        m.add(submit_b, ["b_manager"], "action_submit", [draft.ids], expect=ACCESS)
        every_state = {"context": {"active_test": False}}
        self._company_b_lists_only(m, "list change requests from company B", ["b_manager"], every_state)
        self._run_matrix(m)

    # ------------------------------------------------------------------
    # After-sales tickets
    # ------------------------------------------------------------------
    def test_ticket_matrix(self):
        ticket = self.ticket
        Model = "fulfilment.ticket"
        agents = {"agent": OK, "as_manager": OK, "fmanager": OK}
        new_ticket = {"partner_id": self.customer.id, "ticket_type": "repair", "description": "Leaks"}
        m = _Matrix(Model)
        # Company B's agents open it in their own company.
        m.add(
            "open a ticket",
            self._everyone(ACCESS, b_agent=OK, b_manager=OK, **agents),
            "create",
            [new_ticket],
        )
        m.creating(
            "open a ticket with",
            list(agents),
            new_ticket,
            (
                {"state": "closed"},
                {"sla_state": "met"},
                {"first_contact_date": "2026-01-01 10:00:00"},
                {"assigned_date": "2026-01-01 10:00:00"},
                {"assign_deadline": "2099-01-01 10:00:00"},
                {"contact_escalated": True},
            ),
            USER,
        )
        m.add(
            "open a ticket closed by context defaults",
            list(agents),
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
        in_b = [{**new_ticket, "company_id": self.company_b.id}]
        m.add("open a ticket in a company one is not in", list(agents), "create", in_b, expect=ACCESS)
        m.writing(
            "write ticket",
            {
                **dict.fromkeys(agents, USER),
                # Refused either by the access rights or by the protected-field check.
                **dict.fromkeys(("salesman", "director", "portal", "plain", "b_manager"), (ACCESS, USER)),
            },
            ticket,
            (
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
            ),
        )
        close = [ticket.ids, {"state": "closed", "sla_state": "met"}]
        m.bypassing("close a ticket by writing", ["agent", "as_manager"], "write", close, USER)
        m.add(
            "edit a ticket",
            self._everyone(ACCESS, **agents),
            "write",
            [ticket.ids, {"description": "Edited"}],
        )
        to_b = [ticket.ids, {"company_id": self.company_b.id}]
        m.add("move a ticket to a company one is not in", list(agents), "write", to_b, expect=ACCESS)
        non_agents = {key: USER for key in self.users if key not in agents}
        non_agents.update(b_agent=ACCESS, b_manager=ACCESS)
        m.add(
            "assign a ticket",
            {**non_agents, **agents},
            "action_assign",
            [ticket.ids],
            check=lambda __: self.assertEqual(ticket.state, "assigned"),
        )
        for label, users, assignee in (
            ("assign a ticket to a salesperson", ["agent"], self.users["salesman"]),
            (
                "assign a ticket to an agent of another company",
                ["agent", "as_manager"],
                self.users["b_agent"],
            ),
            ("assign a ticket to an archived agent", ["agent"], self.archived_agent),
        ):
            m.add(label, users, "action_assign", [ticket.ids], {"user_id": assignee.id}, USER)
        for method in ("action_contact", "action_start", "action_resolve", "action_close"):
            m.add(f"{method} on a new ticket", list(agents), method, [ticket.ids], expect=USER)
        m.add(
            "create a return without a delivery", ["agent"], "action_create_return", [ticket.ids], None, USER
        )
        no_product = "create a replacement without a product"
        m.add(no_product, ["agent"], "action_create_replacement", [ticket.ids], expect=USER)
        m.add("cancel a ticket", {**non_agents, **agents}, "action_cancel", [ticket.ids])
        m.add("delete a ticket", self._everyone(ACCESS, as_manager=OK, fmanager=OK), "unlink", [ticket.ids])
        m.add(
            "read a ticket",
            self._everyone(
                ACCESS, salesman=OK, sales_manager=OK, director=OK, portal=OK, sales_tech=ACCESS, **agents
            ),
            "read",
            [ticket.ids, ["name", "state"]],
        )
        other = [self.ticket_other.ids, ["name"]]
        m.add("read another customer's ticket", ["portal", "salesman"], "read", other, expect=ACCESS)
        # Portal customers see their own tickets only, and none of the internal documents.
        m.add(
            "list tickets as a customer",
            ["portal"],
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
            m.add(
                f"list {model} as a customer",
                ["portal"],
                "search_read",
                [[], ["id"]],
                None,
                ACCESS,
                model=model,
            )
        by_customer = [ticket.ids, {"description": "Changed by the customer"}]
        m.add("post on a ticket as a customer through write", ["portal"], "write", by_customer, None, ACCESS)
        # Multi-company.
        from_b = ["b_agent", "b_manager", "b_salesman"]
        m.add("read company A's ticket from company B", from_b, "read", [ticket.ids, ["name"]], None, ACCESS)
        edit_b = [ticket.ids, {"description": "From B"}]
        m.add(
            "edit company A's ticket from company B", ["b_agent", "b_manager"], "write", edit_b, None, ACCESS
        )
        for label, users, context in (
            ("force_company", ["agent", "as_manager", "fmanager"], {"force_company": self.company_b.id}),
            ("allowed_company_ids", ["agent", "fmanager"], {"allowed_company_ids": [self.company_b.id]}),
        ):
            read_b = [self.ticket_b.ids, ["name"]]
            m.add(
                f"read company B's ticket with {label}", users, "read", read_b, {"context": context}, ACCESS
            )
        m.add(
            "list tickets from company B",
            ["b_agent", "b_manager"],
            "search_read",
            [[], ["company_id"]],
            {"context": {"active_test": False}},
            check=lambda rows: self.assertEqual([row["id"] for row in rows], self.ticket_b.ids),
        )
        self._run_matrix(m)

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
