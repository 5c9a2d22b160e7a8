from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.checks import raise_if_any
from ..tools.escalation import escalate_once, notify_escalation
from ..tools.orm import lock_rows
from .mail_thread import SENDER_FALLBACK

# The escalation clock of an open nonconformity (seed 002 二(二)5), step by step: (the flag set
# once escalated, the deadline field, who is told).
ESCALATION_STEPS = {
    "head": ("escalated_head", "classify_deadline", "order_fulfilment.group_quality_manager"),
    "manager": ("escalated_manager", "head_deadline", "order_fulfilment.group_general_manager"),
}


class FulfilmentNonconformity(models.Model):
    """Deciding what becomes of nonconforming goods: rework, scrap (Odoo's scrap), concession
    (signed off through the review engine), return to the supplier (Odoo's return of the
    receipt) or sort; the escalation clock while it stays open."""

    _inherit = "fulfilment.nonconformity"

    # ------------------------------------------------------------------
    # Review engine hooks: a concession is decided once its sign-offs are approved
    # ------------------------------------------------------------------
    def _review_order(self):
        return self.order_id

    def _review_on_approved(self):
        concessions = self.filtered(lambda nc: nc.state == "open" and nc.disposition == "concession")
        if concessions:
            concessions.sudo()._fulfilment_decide()

    def write(self, vals):
        if "disposition" in vals and not self.env.su:
            raise_if_any(
                self.filtered(lambda nc: nc.state != "open" and nc.disposition != vals["disposition"]),
                lambda nonconformities: self.env._(
                    "%(nonconformities)s: the disposition is decided; it cannot change.",
                    nonconformities=nonconformities,
                ),
                field="name",
            )
        if "state" in vals and not self.env.su:
            raise UserError(
                self.env._("The status of a nonconformity follows its decision; use Decide or Close.")
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Decide and close
    # ------------------------------------------------------------------
    def _fulfilment_check_manager(self):
        if not self.env.su and not self.env.user.has_group("order_fulfilment.group_quality_manager"):
            raise AccessError(
                self.env._(
                    "%(nonconformities)s: only quality managers decide the disposition of nonconforming "
                    "goods.",
                    nonconformities=", ".join(self.mapped("name")),
                )
            )

    def action_decide(self):
        """Carry out the disposition. A concession first asks for its sign-offs (the review
        engine) and is decided once they are approved. A second call changes nothing."""
        self.check_access("write")
        self._fulfilment_check_manager()
        missing = self.filtered(lambda nc: not nc.disposition)
        if missing:
            raise UserError(
                self.env._(
                    "%(nonconformities)s: choose a disposition (rework, scrap, concession, return to the "
                    "supplier or sort) first.",
                    nonconformities=", ".join(missing.mapped("name")),
                )
            )
        records = lock_rows(self).filtered(lambda nc: nc.state == "open")
        concessions = records.filtered(lambda nc: nc.disposition == "concession")
        to_decide = records - concessions
        if concessions:
            to_decide |= concessions._fulfilment_concession_ready()
        if to_decide:
            to_decide._fulfilment_decide()
        return True

    def _fulfilment_concession_ready(self):
        """The concessions whose sign-offs are approved (or that no rule covers); the others get
        their sign-offs requested, or are refused while they wait or were rejected."""
        live = self._review_live_state()
        ready = self.browse()
        to_request = self.browse()
        for nc in self:
            state = live[nc][0]
            if state in ("none", "approved"):
                ready |= nc
            elif state == "draft":
                to_request |= nc
            elif state == "pending":
                raise UserError(
                    self.env._(
                        "%(nonconformity)s: the concession is waiting for its sign-offs (%(reviews)s).",
                        nonconformity=nc.name,
                        reviews=", ".join(nc._review_current().mapped("department")),
                    )
                )
            else:
                raise UserError(
                    self.env._(
                        "%(nonconformity)s: the concession was rejected. Choose another disposition.",
                        nonconformity=nc.name,
                    )
                )
        if to_request:
            to_request._review_request()
        return ready

    def _fulfilment_decide(self):
        """Carry out the dispositions of these open nonconformities and mark them decided."""
        for disposition, records in self.grouped("disposition").items():
            getattr(records, f"_fulfilment_dispose_{disposition}")()
        self.sudo().write(
            {"state": "decided", "decided_date": fields.Datetime.now(), "decided_by_id": self.env.uid}
        )
        labels = dict(self._fields["disposition"]._description_selection(self.env))
        for nc in self:
            nc._fulfilment_post(
                lambda record: record.env._(
                    "Disposition decided: %(disposition)s.",
                    disposition=dict(record._fields["disposition"]._description_selection(record.env)).get(
                        record.disposition, labels.get(record.disposition)
                    ),
                )
            )

    def action_close(self):
        """Close the nonconformities whose disposition is carried out."""
        self.check_access("write")
        self._fulfilment_check_manager()
        raise_if_any(
            self.filtered(lambda nc: nc.state == "open"),
            lambda nonconformities: self.env._(
                "%(nonconformities)s: decide the disposition before closing.", nonconformities=nonconformities
            ),
            field="name",
        )
        to_close = self.filtered(lambda nc: nc.state == "decided")
        to_close.sudo().write({"state": "closed", "closed_date": fields.Datetime.now()})
        return True

    # ------------------------------------------------------------------
    # The dispositions
    # ------------------------------------------------------------------
    def _fulfilment_dispose_rework(self):
        """The operator reworks: a to-do for the manufacturing order's responsible; their
        supervisors (manufacturing managers) are told."""
        with_production = self.filtered("production_id")
        for nc in with_production:
            production = nc.production_id.sudo()
            production._fulfilment_todo(
                "user_id",
                lambda mo, nc=nc: mo.env._(
                    "Rework %(product)s: nonconformity %(nonconformity)s",
                    product=nc.product_id.display_name,
                    nonconformity=nc.name,
                ),
                note=lambda mo, nc=nc: mo.env._("Defect: %(defect)s", defect=nc.description or "-"),
            )
        supervisors = self.env.ref("mrp.group_mrp_manager").sudo().users
        notify_escalation(
            with_production,
            supervisors,
            lambda nc: nc.env._(
                "Nonconformity %(nonconformity)s (%(product)s): the goods of %(production)s go back to the "
                "operator for rework.",
                nonconformity=nc.name,
                product=nc.product_id.display_name,
                production=nc.production_id.name,
            ),
            lambda nc: nc.env._("Rework: %(nonconformity)s", nonconformity=nc.name),
            activity_on=lambda nc: nc.production_id,
            post_on=lambda nc: [nc.production_id, nc],
        )

    def _fulfilment_dispose_sort(self):
        """Sorting the goods needs no stock operation: the inspector sorts them."""

    def _fulfilment_dispose_concession(self):
        """The goods are accepted as they are: the sign-offs are in the review engine."""

    def _fulfilment_dispose_scrap(self):
        """Scrap the goods with Odoo's scrap, from where they are."""
        for nc in self:
            scrap = (
                self.env["stock.scrap"]
                .with_company(nc.company_id)
                .create(
                    {
                        "product_id": nc.product_id.id,
                        "product_uom_id": nc.product_id.uom_id.id,
                        "lot_id": nc.lot_id.id,
                        "scrap_qty": nc.qty,
                        "location_id": nc._fulfilment_goods_location().id,
                        "company_id": nc.company_id.id,
                        "origin": nc.name,
                    }
                )
            )
            scrap.with_context(**{SENDER_FALLBACK: True}).action_validate()
            if scrap.state != "done":
                raise UserError(
                    self.env._(
                        "%(nonconformity)s: %(qty)s %(product)s are not in stock at %(location)s; "
                        "scrap them by hand, then decide again.",
                        nonconformity=nc.name,
                        qty=nc.qty,
                        product=nc.product_id.display_name,
                        location=scrap.location_id.display_name,
                    )
                )
            nc.sudo().scrap_id = scrap

    def _fulfilment_goods_location(self):
        """Where the nonconforming goods are: where their MO or receipt put them."""
        self.ensure_one()
        check = self.check_id
        if check.move_id and check.move_id.state == "done":
            return check.move_id.location_dest_id
        if self.production_id:
            return self.production_id.location_dest_id
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company_id.id)], limit=1)
        return warehouse.lot_stock_id

    def _fulfilment_dispose_return_supplier(self):
        """Return the goods to the supplier with Odoo's return of the receipt."""
        for nc in self:
            receipt = nc.picking_id
            move = nc.check_id.move_id
            if not receipt or receipt.picking_type_code != "incoming" or receipt.state != "done":
                raise UserError(
                    self.env._(
                        "%(nonconformity)s: only goods of a validated receipt from a supplier can be "
                        "returned; validate the receipt first, or choose another disposition.",
                        nonconformity=nc.name,
                    )
                )
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=receipt.id, active_ids=receipt.ids, active_model="stock.picking")
                .create({"picking_id": receipt.id})
            )
            for line in wizard.product_return_moves:
                matches = line.move_id == move if move else line.product_id == nc.product_id
                line.quantity = nc.qty if matches else 0.0
            # Odoo's return posts on the new transfer as the user, who may have no e-mail address.
            return_picking = wizard.with_context(**{SENDER_FALLBACK: True})._create_return()
            if nc.lot_id:
                # The nonconforming lot goes back, not any lot of the product.
                lines = return_picking.move_ids.move_line_ids.filtered(
                    lambda line, nc=nc: line.product_id == nc.product_id and line.lot_id != nc.lot_id
                )
                lines.write({"lot_id": nc.lot_id.id})
            nc.sudo().return_picking_id = return_picking

    # ------------------------------------------------------------------
    # The escalation clock (seed 002 二(二)5)
    # ------------------------------------------------------------------
    def _escalate_to_head(self):
        """Not decided within the classify time (20 minutes): the quality managers are told once."""
        return self._fulfilment_escalate("head")

    def _escalate_to_manager(self):
        """Still open after the department head's time (30 minutes more): the general manager is
        told once."""
        return self._fulfilment_escalate("manager")

    def _fulfilment_escalate(self, step):
        """Escalate once the open nonconformities past the deadline of ``step`` (ESCALATION_STEPS)."""
        flag, deadline, group = ESCALATION_STEPS[step]
        return escalate_once(
            self,
            flag,
            [("state", "=", "open"), (deadline, "<=", fields.Datetime.now())],
            self.env.ref(group).sudo().users,
            lambda nc: nc._fulfilment_escalation_note(step),
            lambda nc: nc._fulfilment_escalation_summary(step),
        )

    def _fulfilment_escalation_note(self, step):
        """What the note and the activities of ``step`` say, in the language of the environment."""
        names = {"nonconformity": self.name, "product": self.product_id.display_name}
        if step == "head":
            return self.env._(
                "Nonconformity %(nonconformity)s (%(product)s) was not classified in time: the quality "
                "department head coordinates it now.",
                **names,
            )
        return self.env._(
            "Nonconformity %(nonconformity)s (%(product)s) is still undecided after the quality "
            "department head's time: it is referred to the general manager.",
            **names,
        )

    def _fulfilment_escalation_summary(self, step):
        """The title of the activities of ``step``, in the language of the environment."""
        if step == "head":
            return self.env._("Nonconformity to decide: %(nonconformity)s", nonconformity=self.name)
        return self.env._("Nonconformity referred to you: %(nonconformity)s", nonconformity=self.name)
