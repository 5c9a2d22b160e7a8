import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Data (a delivered order of 5 Flange kits, the after-sales agent) come from tests/test_tours.py.

registry.category("web_tour.tours").add("order_fulfilment_ticket", {
    steps: () => [
        stepUtils.autoExpandMoreButtons(),
        {
            content: "Open the tickets of the delivered order",
            trigger: "button[name=action_view_fulfilment_tickets]",
            run: "click",
        },
        {
            content: "Create a ticket",
            trigger: ".o_control_panel .o-kanban-button-new",
            run: "click",
        },
        {
            content: "The ticket is for the order's customer",
            trigger: ".o_field_widget[name=partner_id] input:value(Harbin Water Works)",
        },
        {
            trigger: ".o_field_widget[name=order_id] input:value(/S\\d+/)",
        },
        {
            content: "Choose the delivery",
            trigger: ".o_field_widget[name=picking_id] input",
            run: "edit OUT",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu a:contains(/OUT/)",
            run: "click",
        },
        {
            content: "Choose the product",
            trigger: ".o_field_widget[name=product_id] input",
            run: "edit Flange",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu a:contains(Flange kit)",
            run: "click",
        },
        {
            content: "It is a return",
            trigger: ".o_field_widget[name=ticket_type] select",
            run: "selectByLabel Return",
        },
        {
            trigger: ".o_field_widget[name=description] textarea",
            run: "edit Two kits leak at the gasket",
        },
        ...stepUtils.saveForm(),
        {
            content: "Assign the ticket to me",
            trigger: ".o_form_statusbar button[name=action_assign]",
            run: "click",
        },
        {
            content: "The ticket is assigned",
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Assigned)",
        },
        {
            content: "Log the call with the customer",
            trigger: ".o_form_statusbar button:contains(Customer Contacted)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Called the buyer: the kits come back for inspection",
        },
        {
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The contact is recorded",
            trigger: "body:not(:has(.modal)) .o_form_statusbar:not(:has(button:contains(Customer Contacted)))",
        },
        {
            trigger: ".o_field_widget[name=first_contact_date]:not(:empty)",
        },
        {
            content: "Create the return",
            trigger: ".o_form_statusbar button[name=action_create_return]",
            run: "click",
        },
        {
            content: "The return opens with the delivered kits",
            trigger: ".o_form_view .o_field_widget[name=move_ids_without_package] td:contains(Flange kit)",
        },
        {
            trigger: ".o_breadcrumb:contains(AS/)",
        },
    ],
});
