"""The quality gate and the quality rights hold for a JSON-RPC client."""

import json

from odoo.tests import HttpCase, tagged

from .test_quality import QualityCase


@tagged("post_install", "-at_install")
class TestQualityRpc(HttpCase, QualityCase):
    def _call(self, model, method, *args, **kwargs):
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            data = body["error"]["data"]
            return {"error": f"{data['name'].rsplit('.', 1)[-1]}: {data['message']}"}
        return body["result"]

    def _ok(self, result):
        self.assertFalse(isinstance(result, dict) and "error" in result, result)

    def _ready_delivery(self, product):
        __, picking = self._sold(product)
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        return picking

    def test_gate_over_rpc_with_lot(self):
        self._point("production", self.valve)
        self._produce(self.valve, lot_name="V-RPC")
        check = self.Check.search([("lot_id.name", "=", "V-RPC")])
        picking = self._ready_delivery(self.valve)
        self.authenticate("qc_storeman", "qc_storeman")
        result = self._call("stock.picking", "button_validate", picking.ids)
        self.assertIn("UserError", result["error"])
        self.assertIn(check.name, result["error"])
        self.assertEqual(picking.state, "assigned")
        # The inspector records the inspection over RPC; then the delivery goes.
        self.authenticate("qc_inspector", "qc_inspector")
        for line in check.line_ids:
            values = {"measured_value": 10.0} if line.kind == "measure" else {"result": "pass"}
            self._ok(self._call(line._name, "write", line.ids, values))
        self._ok(self._call(check._name, "action_done", check.ids))
        self.assertEqual(check.state, "pass")
        self.authenticate("qc_storeman", "qc_storeman")
        result = self._call("stock.picking", "button_validate", picking.ids)
        self._ok(result)
        self.assertEqual(picking.state, "done")

    def test_gate_over_rpc_without_lot(self):
        self._point("delivery", self.stocked)
        picking = self._ready_delivery(self.stocked)
        check = self.Check.search([("picking_id", "=", picking.id)])
        self.authenticate("qc_storeman", "qc_storeman")
        result = self._call("stock.picking", "button_validate", picking.ids)
        self.assertIn(check.name, result["error"])
        self.assertEqual(picking.state, "assigned")

    def test_rights_over_rpc(self):
        self.authenticate("qc_inspector", "qc_inspector")
        result = self._call("fulfilment.quality.point", "create", [{"name": "Mine", "operation": "receipt"}])
        self.assertIn("AccessError", result["error"])
        self._point("production", self.valve)
        self._produce(self.valve, lot_name="V-RIGHTS")
        check = self.Check.search([("lot_id.name", "=", "V-RIGHTS")])
        self._inspect(check, fail_items=("Appearance",))
        nonconformity = check.nonconformity_ids
        self._ok(self._call(nonconformity._name, "write", nonconformity.ids, {"disposition": "sort"}))
        result = self._call(nonconformity._name, "action_decide", nonconformity.ids)
        self.assertIn("AccessError", result["error"])
        result = self._call(nonconformity._name, "write", nonconformity.ids, {"state": "decided"})
        self.assertIn("UserError", result["error"])
        self.authenticate("qc_manager", "qc_manager")
        self._ok(self._call(nonconformity._name, "action_decide", nonconformity.ids))
        self.assertEqual(nonconformity.state, "decided")
