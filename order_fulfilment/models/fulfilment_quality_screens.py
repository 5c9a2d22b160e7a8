from odoo import api, models

from ..tools.checks import raise_if_any


class FulfilmentQualityCheckLine(models.Model):
    """The inspector's buttons on the tablet list: pass or fail an item, finish the inspections."""

    _inherit = "fulfilment.quality.check.line"

    def _fulfilment_check_editable(self):
        raise_if_any(
            self.check_id.filtered(lambda check: check.state != "todo"),
            lambda checks: self.env._(
                "Inspection %(checks)s is already done: its items cannot change.", checks=checks
            ),
            field="name",
        )

    def _fulfilment_set_result(self, result):
        raise_if_any(
            self.filtered(lambda line: line.kind == "measure"),
            lambda items: self.env._(
                "Item %(items)s is a measure: enter the measured value, its limits decide the result.",
                items=items,
            ),
            field="name",
        )
        self._fulfilment_check_editable()
        self.write({"result": result})
        return True

    def action_fulfilment_pass(self):
        return self._fulfilment_set_result("pass")

    def action_fulfilment_fail(self):
        return self._fulfilment_set_result("fail")

    def action_fulfilment_finish(self):
        """Finish the inspections of these items (the selected rows of the tablet list)."""
        checks = self.check_id.filtered(lambda check: check.state == "todo")
        if checks:
            checks.action_done()
        return True


class FulfilmentQualityCheck(models.Model):
    _inherit = "fulfilment.quality.check"

    @api.model
    def _fulfilment_action(self, domain, name=None, context=None):
        """The inspections of ``domain`` in the office list and form."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "order_fulfilment.fulfilment_quality_check_action"
        )
        action["domain"] = domain
        action["context"] = dict(context or {}, create=False)
        if name:
            action["name"] = name
        return action

    def action_fulfilment_view_nonconformities(self):
        self.ensure_one()
        return self.env["fulfilment.nonconformity"]._fulfilment_action([("check_id", "=", self.id)])


class FulfilmentNonconformity(models.Model):
    _inherit = "fulfilment.nonconformity"

    @api.model
    def _fulfilment_action(self, domain):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "order_fulfilment.fulfilment_nonconformity_action"
        )
        action["domain"] = domain
        action["context"] = {"create": False}
        return action
