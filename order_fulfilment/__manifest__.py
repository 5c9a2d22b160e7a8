{
    "name": "Order Fulfilment",
    "summary": "Order review sign-offs, rush orders, change requests, "
    "after-sales SLAs and delivery controls for manufacturers",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Order Fulfilment",
    "license": "LGPL-3",
    "development_status": "Beta",
    "application": False,
    "installable": True,
    "depends": ["sale_management", "sale_mrp", "base_automation"],
    "data": [
        "security/order_fulfilment_security.xml",
        "security/ir.model.access.csv",
        # Reviews
        # Rush orders and the delivery promise
        # Change requests
        # After-sales
        # Release and delivery controls
        "data/fulfilment_controls_data.xml",
        "views/fulfilment_pod_wizard_views.xml",
        # Views
        "views/res_config_settings_views.xml",
        "views/product_template_views.xml",
        "views/sale_order_views.xml",
        "views/mrp_production_views.xml",
        "views/stock_picking_views.xml",
        "views/res_partner_views.xml",
        "views/menus.xml",
        # Reports
    ],
    "demo": [
        # Release and delivery controls
        "demo/fulfilment_controls_demo.xml",
    ],
}
