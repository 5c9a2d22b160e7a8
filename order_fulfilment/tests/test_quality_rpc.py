"""The quality gate and the quality rights hold for a JSON-RPC client."""

from odoo.tests import HttpCase, tagged

from .common import JsonRpcMixin, RpcError
from .test_quality import QualityCase


@tagged("post_install", "-at_install")
class TestQualityRpc(JsonRpcMixin, HttpCase, QualityCase):
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
        with self.assertRaises(RpcError) as caught:
            self._call("stock.picking", "button_validate", picking.ids)
        self.assertIn("UserError", str(caught.exception))
        self.assertIn(check.name, str(caught.exception))
        self.assertEqual(picking.state, "assigned")
        # The inspector records the inspection over RPC; then the delivery goes.
        self.authenticate("qc_inspector", "qc_inspector")
        for line in check.line_ids:
            values = {"measured_value": 10.0} if line.kind == "measure" else {"result": "pass"}
            self._call(line._name, "write", line.ids, values)
        self._call(check._name, "action_done", check.ids)
        self.assertEqual(check.state, "pass")
        self.authenticate("qc_storeman", "qc_storeman")
        self._call("stock.picking", "button_validate", picking.ids)
        self.assertEqual(picking.state, "done")

    def test_gate_over_rpc_without_lot(self):
        self._point("delivery", self.stocked)
        picking = self._ready_delivery(self.stocked)
        check = self.Check.search([("picking_id", "=", picking.id)])
        self.authenticate("qc_storeman", "qc_storeman")
        with self.assertRaises(RpcError) as caught:
            self._call("stock.picking", "button_validate", picking.ids)
        self.assertIn(check.name, str(caught.exception))
        self.assertEqual(picking.state, "assigned")

    def test_rights_over_rpc(self):
        self.authenticate("qc_inspector", "qc_inspector")
        with self.assertRaises(RpcError) as caught:
            self._call("fulfilment.quality.point", "create", [{"name": "Mine", "operation": "receipt"}])
        self.assertIn("AccessError", str(caught.exception))
        self._point("production", self.valve)
        self._produce(self.valve, lot_name="V-RIGHTS")
        check = self.Check.search([("lot_id.name", "=", "V-RIGHTS")])
        self._inspect(check, fail_items=("Appearance",))
        nonconformity = check.nonconformity_ids
        self._call(nonconformity._name, "write", nonconformity.ids, {"disposition": "sort"})
        with self.assertRaises(RpcError) as caught:
            self._call(nonconformity._name, "action_decide", nonconformity.ids)
        self.assertIn("AccessError", str(caught.exception))
        with self.assertRaises(RpcError) as caught:
            self._call(nonconformity._name, "write", nonconformity.ids, {"state": "decided"})
        self.assertIn("UserError", str(caught.exception))
        self.authenticate("qc_manager", "qc_manager")
        self._call(nonconformity._name, "action_decide", nonconformity.ids)
        self.assertEqual(nonconformity.state, "decided")
