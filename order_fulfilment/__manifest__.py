{
    "name": "Order Fulfilment",
    "summary": "Order review sign-offs, rush orders, change requests, "
    "after-sales SLAs and delivery controls for manufacturers",
    "version": "18.0.1.3.0",
    "category": "Sales/Sales",
    "author": "Order Fulfilment",
    "license": "LGPL-3",
    "development_status": "Beta",
    "application": False,
    "installable": True,
    "depends": ["sale_management", "sale_mrp", "base_automation", "rating", "repair"],
    "data": [
        "security/order_fulfilment_security.xml",
        # Quality groups, before the access rights that name them
        "security/fulfilment_quality_security.xml",
        "security/ir.model.access.csv",
        "views/menus.xml",
        # Reports: the layout shared by the printed documents, before them
        "report/fulfilment_report_layout.xml",
        # Reviews
        "security/fulfilment_review_security.xml",
        "data/fulfilment_review_data.xml",
        "wizards/fulfilment_review_reject_views.xml",
        "wizards/fulfilment_review_forward_views.xml",
        "views/fulfilment_review_views.xml",
        "views/fulfilment_review_rule_views.xml",
        "views/fulfilment_review_delegation_views.xml",
        "report/fulfilment_review_report.xml",
        # Reviews: reminders and escalation in working hours, deciding from the e-mail
        "data/fulfilment_review_reminder_data.xml",
        "data/fulfilment_review_mail_data.xml",
        "views/fulfilment_review_reminder_views.xml",
        "views/fulfilment_review_decision_templates.xml",
        # Rush orders and the delivery promise
        "data/rush_data.xml",
        "wizards/fulfilment_cannot_meet_wizard_views.xml",
        # Change requests
        "security/fulfilment_change_request_security.xml",
        "data/fulfilment_change_request_data.xml",
        "views/fulfilment_change_request_views.xml",
        "report/fulfilment_change_request_report.xml",
        # After-sales
        "security/fulfilment_ticket_security.xml",
        "data/fulfilment_ticket_data.xml",
        "wizards/fulfilment_ticket_contact_views.xml",
        "views/fulfilment_ticket_views.xml",
        # After-sales: resolution targets, waiting for the customer
        "security/fulfilment_sla_policy_security.xml",
        "data/fulfilment_sla_policy_data.xml",
        "views/fulfilment_sla_policy_views.xml",
        "views/fulfilment_ticket_sla_views.xml",
        "views/fulfilment_ticket_portal_templates.xml",
        "report/fulfilment_ticket_report.xml",
        # After-sales: repairs, warranty and the free-of-charge sign-off
        "security/fulfilment_ticket_repair_security.xml",
        "data/fulfilment_ticket_warranty_data.xml",
        "views/fulfilment_ticket_repair_views.xml",
        "views/stock_lot_views.xml",
        "views/repair_order_views.xml",
        # Release and delivery controls
        "security/sale_order_release_security.xml",
        "data/fulfilment_controls_data.xml",
        "views/fulfilment_pod_wizard_views.xml",
        # Quality inspection and nonconforming goods
        "data/fulfilment_quality_data.xml",
        # Views
        "views/res_config_settings_views.xml",
        "views/product_template_views.xml",
        "views/sale_order_views.xml",
        "views/mrp_production_views.xml",
        "views/stock_picking_views.xml",
        "views/res_partner_views.xml",
        # Rush orders and the delivery promise
        "views/sale_order_rush_views.xml",
        # Earliest feasible date (capable-to-promise)
        "views/sale_order_feasible_views.xml",
        # Order completion (订单完成)
        "views/sale_order_completion_views.xml",
        # Fulfilment analysis
        "security/fulfilment_analysis_security.xml",
        "report/fulfilment_analysis_views.xml",
        # Quality inspection: screens, printed documents and the pass rate
        "views/fulfilment_quality_point_views.xml",
        "views/fulfilment_quality_check_views.xml",
        "views/fulfilment_nonconformity_views.xml",
        "views/mrp_production_quality_views.xml",
        "views/stock_picking_quality_views.xml",
        "report/fulfilment_quality_check_report.xml",
        "report/fulfilment_nonconformity_report.xml",
        "security/fulfilment_quality_analysis_security.xml",
        "report/fulfilment_quality_analysis_views.xml",
        "views/fulfilment_quality_menus.xml",
        # After-sales by e-mail, customer messages and satisfaction
        "data/fulfilment_ticket_mail_data.xml",
        "views/fulfilment_ticket_mail_views.xml",
        # Reports
    ],
    "demo": [
        # The company, its people, products and customers
        "demo/res_company_demo.xml",
        "demo/fulfilment_demo.xml",
        "demo/fulfilment_controls_demo.xml",
        # Reviews: rules and quotations in every review state
        "demo/fulfilment_review_demo.xml",
        # Orders, change requests, payments, deliveries and tickets (demo/fulfilment_demo.py)
        "demo/fulfilment_story_demo.xml",
        # Earliest feasible date: the "date too tight" rule, after the delivery history
        "demo/sale_order_feasible_demo.xml",
        # A reviewer's planned absence and substitute (代理)
        "demo/fulfilment_review_delegation_demo.xml",
        # Quality inspection: control points, inspections passed and failed, a concession under
        # review; after the story, so that its deliveries are not held by the new control points
        "demo/fulfilment_quality_demo.xml",
        # After-sales: a serial under repair in warranty, a ticket opened by e-mail
        "demo/fulfilment_aftersales_demo.xml",
    ],
    "assets": {
        # Browser tours
        "web.assets_tests": ["order_fulfilment/static/tests/tours/**/*"],
    },
}
