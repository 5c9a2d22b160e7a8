from collections import Counter, defaultdict

from odoo import api, models


class SaleOrder(models.Model):
    """An order's manufacturing orders: the one way the addon finds them.

    It starts from sale_mrp's ``mrp_production_ids`` (the orders made for the order's deliveries)
    and goes down the BoM, one level at a time for all the orders together, so that the reads
    are batched whatever the number of orders, lines and levels. Rush orders, the at-risk link
    and change requests all use it; nothing else walks ``_get_children()``.
    """

    _inherit = "sale.order"

    @api.model
    def _fulfilment_sub_productions(self, productions):
        """{production: the manufacturing orders made for its components, every BoM level below
        it} for these productions.

        A sub-assembly order is found through the moves of its parent's procurement group: the
        orders those moves (or the moves feeding them) created, with the backorders of those,
        and the orders producing the moves that feed them.
        """
        Production = self.env["mrp.production"].sudo()
        children = {}
        frontier = productions.sudo()
        while frontier:
            # One read of this level's moves, the moves feeding them and the orders they made.
            moves = frontier.procurement_group_id.stock_move_ids
            origins = moves.move_orig_ids
            origins.mapped("production_id")
            (moves | origins).created_production_id.mapped("procurement_group_id.mrp_production_ids")
            found = Production
            for production in frontier:
                moves = production.procurement_group_id.stock_move_ids
                origins = moves.move_orig_ids
                created = (moves | origins).created_production_id
                children[production] = (
                    created | created.procurement_group_id.mrp_production_ids | origins.production_id
                ) - production
                found |= children[production]
            frontier = found.filtered(lambda mo: mo not in children)

        def below(production):
            result = Production
            todo = children[production]
            while todo:
                result |= todo
                todo = Production.union(*(children[mo] for mo in todo)) - result
            return result - production

        return {production: below(production) for production in productions.sudo()}

    def _fulfilment_productions_by_order(self):
        """{order: its manufacturing orders, every BoM level}."""
        orders = self.sudo()
        tops = {order: order.mrp_production_ids for order in orders}
        below = self._fulfilment_sub_productions(self.env["mrp.production"].union(*tops.values()))
        return {order: mos.union(*(below[mo] for mo in mos)) for order, mos in tops.items()}

    def _fulfilment_collect_productions(self):
        """Manufacturing orders made for the orders, down through every BoM level."""
        found = self.env["mrp.production"]
        for productions in self._fulfilment_productions_by_order().values():
            found |= productions
        return found.with_env(self.env)

    @api.model
    def _fulfilment_productions_by_line(self, sale_lines):
        """{sale line id: the manufacturing orders made for the line, with their sub-assembly
        orders (every BoM level)} for these order lines, as superuser."""
        sale_lines = sale_lines.sudo().filtered(lambda line: line.id)
        Production = self.env["mrp.production"].sudo()
        tops = defaultdict(lambda: Production)
        if not sale_lines:
            return tops
        # The MOs made for a line: created by its delivery moves, or linked to it by sale_mrp.
        for move in sale_lines.move_ids.filtered("created_production_id"):
            tops[move.sale_line_id.id] |= move.created_production_id
        for production in Production.search([("sale_line_id", "in", sale_lines.ids)]):
            tops[production.sale_line_id.id] |= production
        order_mos = {order: order.mrp_production_ids for order in sale_lines.order_id}
        below = self._fulfilment_sub_productions(Production.union(*order_mos.values(), *tops.values()))
        # MOs of a later procurement whose delivery move was merged into an older one: the
        # order's top-level MOs of the product, when only one line of the order sells it.
        for order, mos in order_mos.items():
            order_tops = mos - Production.union(*(below[mo] for mo in mos))
            sold = Counter(line.product_id.id for line in order.order_line)
            for line in sale_lines.filtered(lambda sl, order=order: sl.order_id == order):
                if sold[line.product_id.id] == 1:
                    tops[line.id] |= order_tops.filtered(
                        lambda mo, line=line: mo.product_id == line.product_id
                    )
        result = defaultdict(lambda: Production)
        for line_id, mos in tops.items():
            result[line_id] = mos.union(*(below[mo] for mo in mos))
        return result
