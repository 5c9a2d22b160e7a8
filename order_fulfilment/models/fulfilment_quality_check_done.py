from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero

from ..tools.checks import raise_if_any
from ..tools.escalation import notify_escalation
from ..tools.orm import lock_rows


class FulfilmentQualityCheck(models.Model):
    """Recording an inspection: the result from the items and the failed quantity, one
    nonconformity per failed inspection, and failed purchased lots reported at once."""

    _inherit = "fulfilment.quality.check"

    def action_done(self):
        """Record the inspection: pass, fail or partial from the items and the failed quantity.

        Each failed inspection opens one nonconformity. A second call (a double click, a retry)
        finds the inspection done and changes nothing.
        """
        self.check_access("write")
        self._fulfilment_check_recordable()
        checks = lock_rows(self).filtered(lambda check: check.state == "todo")
        if not checks:
            return True
        now = fields.Datetime.now()
        # One write per outcome (result and failed quantity), not per inspection.
        outcomes = {}
        for check in checks:
            outcomes.setdefault(check._fulfilment_result(), []).append(check.id)
        for (result, qty_failed), ids in outcomes.items():
            self.browse(ids).sudo().write(
                {
                    "result": result,
                    "state": "pass" if result == "pass" else "fail",
                    "qty_failed": qty_failed,
                    "inspector_id": self.env.uid,
                    "date_done": now,
                }
            )
        failed = checks.filtered(lambda check: check.state == "fail")
        if failed:
            failed._fulfilment_open_nonconformities()
        checks.filtered(lambda check: check.operation == "receipt")._fulfilment_report_supplier_lots()
        return True

    def _fulfilment_check_recordable(self):
        for check in self.filtered(lambda check: check.state == "todo"):
            raise_if_any(
                check.line_ids.filtered(lambda line: not line.result),
                lambda items, check=check: self.env._(
                    "Inspection %(check)s: record a result for every item first (%(items)s).",
                    check=check.name,
                    items=items,
                ),
                field="name",
            )
            failed, inspected = check.qty_failed, check.qty_inspected
            if float_compare(failed, inspected, precision_digits=4) > 0:
                raise UserError(
                    self.env._(
                        "Inspection %(check)s: the failed quantity (%(failed)s) is more than the "
                        "quantity inspected (%(inspected)s).",
                        check=check.name,
                        failed=failed,
                        inspected=inspected,
                    )
                )

    def _fulfilment_result(self):
        """(result, failed quantity): a failed item with no failed quantity fails everything."""
        self.ensure_one()
        item_failed = any(line.result == "fail" for line in self.line_ids)
        qty_failed = self.qty_failed
        if item_failed and float_is_zero(qty_failed, precision_digits=4):
            qty_failed = self.qty_inspected
        if float_is_zero(qty_failed, precision_digits=4) and not item_failed:
            return "pass", 0.0
        if float_compare(qty_failed, self.qty_inspected, precision_digits=4) < 0:
            return "partial", qty_failed
        return "fail", qty_failed

    def _fulfilment_open_nonconformities(self):
        """One nonconformity per failed inspection (none if it already has one)."""
        to_open = self.filtered(lambda check: not check.nonconformity_ids)
        if not to_open:
            return self.env["fulfilment.nonconformity"]
        values = []
        for check in to_open:
            failed = check.line_ids.filtered(lambda line: line.result == "fail")
            values.append(
                {
                    "check_id": check.id,
                    "company_id": check.company_id.id,
                    "product_id": check.product_id.id,
                    "lot_id": check._fulfilment_lot().id,
                    "qty": check.qty_failed or check.qty_inspected,
                    "production_id": check.production_id.id,
                    "picking_id": check.picking_id.id,
                    "order_id": (check.production_id.fulfilment_sale_id or check.picking_id.sale_id).id,
                    "partner_id": check.partner_id.id,
                    "serious_defect": check.serious_defect,
                    "user_id": check.inspector_id.id,
                    "description": "\n".join(
                        f"{line.name}: {line.measured_value:g} {line.unit or ''}".strip()
                        if line.kind == "measure"
                        else line.name
                        for line in failed
                    )
                    or check.note,
                }
            )
        nonconformities = self.env["fulfilment.nonconformity"].sudo().create(values)
        names = {nonconformity.check_id.id: nonconformity.name for nonconformity in nonconformities}
        to_open._fulfilment_log(
            lambda check: check.env._(
                "Failed: nonconformity %(nonconformity)s opened.", nonconformity=names[check.id]
            )
        )
        return nonconformities

    def _fulfilment_lot(self):
        """The lot inspected: the inspection's, or the one lot its receipt line brought in."""
        self.ensure_one()
        lots = self.move_id.move_line_ids.lot_id
        return self.lot_id or (lots if len(lots) == 1 else lots.browse())

    def _fulfilment_report_supplier_lots(self):
        """Purchased lots under the company's pass rate (95 %), or with a serious defect: the
        quality managers and the purchasing reviewers are told at once."""
        to_report = self.filtered(
            lambda check: (
                check.serious_defect
                or (
                    check.qty_inspected
                    and float_compare(
                        check.qty_passed / check.qty_inspected * 100,
                        check.company_id.fulfilment_quality_min_pass_rate,
                        precision_digits=2,
                    )
                    < 0
                )
            )
        )
        if not to_report:
            return

        def message(check):
            rate = check.qty_passed / check.qty_inspected * 100 if check.qty_inspected else 0.0
            lot = check._fulfilment_lot()
            lot = f" ({lot.name})" if lot else ""
            rate = f"{rate:.1f}"
            text = check.env._(
                "Purchased goods %(product)s%(lot)s from %(supplier)s (receipt %(receipt)s) failed "
                "inspection %(check)s: pass rate %(rate)s %%.",
                product=check.product_id.display_name,
                lot=lot,
                supplier=check.partner_id.display_name or "-",
                receipt=check.picking_id.name or "-",
                check=check.name,
                rate=rate,
            )
            if check.serious_defect:
                text += " " + check.env._(
                    "Serious defect: %(items)s.",
                    items=", ".join(
                        check.line_ids.filtered(
                            lambda line: line.result == "fail" and line.item_id.serious
                        ).mapped("name")
                    ),
                )
            return Markup("%s") % text

        users = (
            self.env.ref("order_fulfilment.group_quality_manager").sudo().users
            | self.env.ref("order_fulfilment.group_review_purchasing").sudo().users
        )
        notify_escalation(
            to_report,
            users,
            message,
            lambda check: check.env._("Failed purchased lot: %(check)s", check=check.name),
        )
