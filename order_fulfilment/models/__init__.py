from . import mail_thread
from . import product_template
from . import res_company
from . import res_config_settings
from . import res_partner

# Reviews
from . import mail_activity
from . import payment_transaction
from . import fulfilment_change_type
from . import fulfilment_review_mixin
from . import fulfilment_review_mixin_refresh
from . import fulfilment_review_mixin_reconcile
from . import fulfilment_review_line_mixin
from . import fulfilment_ticket_source_mixin
from . import fulfilment_review_rule
from . import fulfilment_review_rule_approvers
from . import fulfilment_review_rule_matching
from . import fulfilment_review_rule_reconcile
from . import fulfilment_review
from . import fulfilment_review_decision
from . import fulfilment_review_forward
from . import fulfilment_review_approval
from . import fulfilment_review_delegation
from . import fulfilment_review_rule_reminder
from . import fulfilment_review_reminder
from . import fulfilment_review_mail
from . import fulfilment_review_feasible

# Sale orders, manufacturing and deliveries
from . import sale_order_review
from . import sale_order_production
from . import sale_order_rush
from . import sale_order_feasible
from . import sale_order_feasible_explanation
from . import sale_order_release
from . import sale_order_completion
from . import sale_order_change_request
from . import sale_order_ticket
from . import sale_order_line
from . import mrp_production
from . import mrp_production_completion
from . import stock_picking
from . import stock_rule

# Change requests
from . import fulfilment_change_request
from . import fulfilment_change_request_impact
from . import fulfilment_change_request_apply
from . import fulfilment_change_request_line
from . import stock_move_line

# After-sales
from . import fulfilment_ticket
from . import fulfilment_sla_policy
from . import fulfilment_ticket_sla
from . import fulfilment_ticket_returns
from . import fulfilment_ticket_warranty
from . import fulfilment_ticket_repair
from . import repair_order
from . import stock_lot
from . import fulfilment_ticket_mail
from . import fulfilment_ticket_rating
from . import res_company_aftersales_mail

# Quality inspection and nonconforming goods
from . import res_company_quality
from . import res_config_settings_quality
from . import fulfilment_quality_point
from . import fulfilment_quality_check
from . import fulfilment_nonconformity
from . import fulfilment_quality_check_create
from . import ir_module_module_quality
from . import fulfilment_quality_check_done
from . import fulfilment_nonconformity_disposition
from . import fulfilment_ticket_quality
from . import stock_move_quality

# Quality inspection: order completion, screens
from . import fulfilment_quality_completion
from . import fulfilment_quality_screens
from . import fulfilment_quality_source_mixin
from . import mrp_production_quality
from . import stock_picking_quality
