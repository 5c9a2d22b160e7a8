from collections import defaultdict

from odoo import Command, api, models

from ..tools.orm import lock_rows


class FulfilmentQualityCheck(models.Model):
    """Inspections created by themselves when a matching operation is ready: batched, a few
    queries for any number of manufacturing orders, receipt lines or deliveries."""

    _inherit = "fulfilment.quality.check"

    @api.model
    def _fulfilment_create_for(self, operation, values_list):
        """Create the inspections the control points of ``operation`` ask for.

        :param values_list: the values of an inspection per lot, receipt line or delivery line
            (``company_id``, ``product_id``, and what it inspects: ``production_id`` and
            ``lot_id``, or ``move_id``...)
        :return: the inspections created
        """
        Point = self.env["fulfilment.quality.point"].sudo()
        companies = {values["company_id"] for values in values_list}
        points = Point.search([("operation", "=", operation), ("company_id", "in", list(companies))])
        if not points:
            return self.browse()
        products = self.env["product.product"].browse({values["product_id"] for values in values_list})
        matching = points._fulfilment_points_by_product(products)
        # What was already inspected (a reservation again, a second call): one query.
        keys = ("production_id", "lot_id", "move_id")
        existing = {
            (check.point_id.id, check.production_id.id, check.lot_id.id, check.move_id.id)
            for check in self.sudo().search(self._fulfilment_existing_domain(points, values_list))
        }
        wanted = []
        for values in values_list:
            for point in matching.get(values["product_id"], Point):
                if point.company_id.id != values["company_id"]:
                    continue
                key = (point.id, *(values.get(name) or False for name in keys))
                if key in existing:
                    continue
                existing.add(key)
                wanted.append((point, values))
        if not wanted:
            return self.browse()
        wanted = self._fulfilment_apply_frequency(wanted)
        return (
            self.sudo()
            .create(
                [
                    {
                        **values,
                        "operation": operation,
                        "point_id": point.id,
                        "line_ids": [Command.create({"item_id": item.id}) for item in point.item_ids],
                    }
                    for point, values in wanted
                ]
            )
            .with_env(self.env)
        )

    @api.model
    def _fulfilment_existing_domain(self, points, values_list):
        parts = [("point_id", "in", points.ids)]
        production_ids = {values.get("production_id") for values in values_list} - {None, False}
        move_ids = {values.get("move_id") for values in values_list} - {None, False}
        if production_ids and move_ids:
            return [
                *parts,
                "|",
                ("production_id", "in", list(production_ids)),
                ("move_id", "in", list(move_ids)),
            ]
        if production_ids:
            return [*parts, ("production_id", "in", list(production_ids))]
        return [*parts, ("move_id", "in", list(move_ids))]

    @api.model
    def _fulfilment_apply_frequency(self, wanted):
        """Keep the candidates their point's frequency selects: every one, or the first then one
        in N. The counters are locked, so two transactions never count the same number twice."""
        nth_points = self.env["fulfilment.quality.point"].union(
            *(point for point, _values in wanted if point.frequency == "nth")
        )
        if not nth_points:
            return wanted
        nth_points = lock_rows(nth_points)
        counters = {point.id: point.frequency_count for point in nth_points}
        kept = []
        for point, values in wanted:
            if point.id not in counters:
                kept.append((point, values))
                continue
            counters[point.id] += 1
            if (counters[point.id] - 1) % max(point.frequency_n, 1) == 0:
                kept.append((point, values))
        by_count = defaultdict(lambda: self.env["fulfilment.quality.point"].sudo())
        for point in nth_points:
            by_count[counters[point.id]] |= point
        for count, points in by_count.items():
            points.write({"frequency_count": count})
        return kept


class FulfilmentQualityPoint(models.Model):
    _inherit = "fulfilment.quality.point"

    def _fulfilment_points_by_product(self, products):
        """{product id: the points of self that cover it}: named, in its category or a parent
        category, or points with neither products nor categories (every product)."""
        result = defaultdict(lambda: self.browse())
        for point in self:
            category_paths = [category.parent_path for category in point.product_category_ids]
            for product in products:
                if not product.is_storable:
                    continue
                if (
                    (not point.product_ids and not point.product_category_ids)
                    or product in point.product_ids
                    or any(product.categ_id.parent_path.startswith(path) for path in category_paths)
                ):
                    result[product.id] |= point
        return result
