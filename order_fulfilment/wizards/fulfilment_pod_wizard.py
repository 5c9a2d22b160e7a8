from odoo import api, fields, models


class FulfilmentPodWizard(models.TransientModel):
    _name = "fulfilment.pod.wizard"
    _description = "Record a Proof of Delivery"

    picking_id = fields.Many2one("stock.picking", "Delivery", required=True, readonly=True)
    pod_date = fields.Datetime(
        "Signed On",
        required=True,
        default=fields.Datetime.now,
        help="When the customer signed for the goods.",
    )
    document = fields.Binary("Signed Document")
    document_name = fields.Char("File Name")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        context = self.env.context
        if (
            "picking_id" in fields_list
            and not res.get("picking_id")
            and context.get("active_model") == "stock.picking"
            and context.get("active_id")
        ):
            res["picking_id"] = context["active_id"]
        return res

    def action_confirm(self):
        self.ensure_one()
        picking = self.picking_id
        picking.action_confirm_pod(pod_date=self.pod_date)
        if self.document:
            attachment = self.env["ir.attachment"].create(
                {
                    "name": self.document_name
                    or self.env._("Proof of delivery %(picking)s", picking=picking.name),
                    "datas": self.document,
                    "res_model": "stock.picking",
                    "res_id": picking.id,
                }
            )
            picking.fulfilment_pod_attachment_id = attachment
        return {"type": "ir.actions.act_window_close"}
