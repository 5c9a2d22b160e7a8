"""The quality part of the demo story: demo data only, never called by the addon's business code.

Impellers received from the foundry (one lot passes, one fails and waits for its disposition, one
waits for the inspector),
CP-50 pumps produced and inspected on the test bench (one passes, one fails its noise test and
waits for the general manager's concession sign-off, 让步接收).
"""

from odoo import Command, api, models

# (receipt quantity, {item name fragment: result or measured value}, failed quantity, findings)
RECEIPTS = [
    (40, {"cracks": "pass", "Bore": 25.00, "Quantity": "pass"}, 0, ""),
    (
        40,
        {"cracks": "fail", "Bore": 25.01, "Quantity": "pass"},
        6,
        "6 impellers with porosity on the shroud.",
    ),
    # Arrived this morning: waits for the inspector (the tablet list shows its items).
    (30, None, 0, ""),
]
# (pumps, {item name fragment: result or measured value}, findings)
PRODUCTIONS = [
    (2, {"Hydrostatic": "pass", "Flow": 51.5, "Noise": 71.0, "Nameplate": "pass"}, ""),
    (
        1,
        {"Hydrostatic": "pass", "Flow": 50.8, "Noise": 78.5, "Nameplate": "pass"},
        "Bearing noise 3.5 dB(A) over the limit.",
    ),
]


class FulfilmentDemo(models.AbstractModel):
    _inherit = "fulfilment.demo"

    @api.model
    def _quality_inspect(self, check, results, qty_failed=0.0, note=""):
        """The inspector records the items of an inspection, then finishes it."""
        inspector = self.env.ref("order_fulfilment.user_demo_quality")
        for line in check.line_ids:
            value = next((v for key, v in results.items() if key in line.name), "pass")
            line = line.with_user(inspector)
            if line.kind == "measure":
                line.write({"measured_value": value})
            else:
                line.write({"result": value})
        check = check.with_user(inspector)
        if qty_failed or note:
            check.write({"qty_failed": qty_failed, "note": note})
        check.action_done()
        return check.with_env(self.env)

    @api.model
    def _create_quality_story(self):
        ref = self.env.ref
        Check = self.env["fulfilment.quality.check"]
        warehouse = ref("stock.warehouse0")
        impeller = ref("order_fulfilment.product_demo_impeller")
        supplier_location = ref("stock.stock_location_suppliers")
        # Receipts of impellers from the foundry: the inspection is created once the receipt is ready.
        for qty, results, qty_failed, note in RECEIPTS:
            receipt = self.env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.in_type_id.id,
                    "partner_id": ref("order_fulfilment.partner_demo_foundry").id,
                    "location_id": supplier_location.id,
                    "location_dest_id": warehouse.lot_stock_id.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": impeller.display_name,
                                "product_id": impeller.id,
                                "product_uom_qty": qty,
                                "location_id": supplier_location.id,
                                "location_dest_id": warehouse.lot_stock_id.id,
                            }
                        )
                    ],
                }
            )
            receipt.action_confirm()
            receipt.action_assign()
            check = Check.search([("picking_id", "=", receipt.id)], limit=1)
            if check and results is not None:
                self._quality_inspect(check, results, qty_failed, note)
        # CP-50 pumps made to stock: the motor sub-assembly first, then the pump.
        pump = ref("order_fulfilment.product_demo_pump")
        for qty, results, note in PRODUCTIONS:
            production = self.env["mrp.production"].create(
                {
                    "product_id": pump.id,
                    "product_qty": qty,
                    "bom_id": ref("order_fulfilment.mrp_bom_demo_pump").id,
                }
            )
            production.action_confirm()
            children = production.procurement_group_id.mrp_production_ids - production
            for mo in children | production:
                mo.action_assign()
                mo.button_mark_done()
            check = Check.search([("production_id", "=", production.id)], limit=1)
            if check:
                self._quality_inspect(check, results, note=note)
        # The failed pump: the quality manager proposes a concession, signed off by the general manager.
        manager = ref("order_fulfilment.user_demo_quality_manager")
        nonconformity = self.env["fulfilment.nonconformity"].search(
            [("production_id.product_id", "=", pump.id), ("state", "=", "open")], limit=1
        ) or self.env["fulfilment.nonconformity"].search(
            [("check_id.production_id.product_id", "=", pump.id), ("state", "=", "open")], limit=1
        )
        if nonconformity:
            nonconformity = nonconformity.with_user(manager)
            nonconformity.write(
                {
                    "disposition": "concession",
                    "disposition_note": "Accept as is for the irrigation customer: the duty is outdoor, "
                    "noise is not in their specification.",
                }
            )
            nonconformity.action_decide()
