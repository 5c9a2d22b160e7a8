from odoo import models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        """An online payment confirms a quotation only once its reviews allow it."""
        blocked = self.filtered(
            lambda tx: (
                len(tx.sale_order_ids) == 1
                and tx.sale_order_ids.state in ("draft", "sent")
                and tx.sale_order_ids._review_blocking_message()
            )
        )
        blocked.sale_order_ids._fulfilment_post(
            lambda order: order.env._(
                "Payment received. The order is confirmed once its reviews are approved."
            )
        )
        return super(PaymentTransaction, self - blocked)._check_amount_and_confirm_order()
