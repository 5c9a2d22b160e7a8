import { registry } from "@web/core/registry";

// Data (customer, products with a bill of materials, users) come from tests/test_tours.py.

registry.category("web_tour.tours").add("order_fulfilment_rush_confirm", {
    steps: () => [
        {
            content: "The quotation is not a rush order yet",
            trigger: ".o_form_view:not(:has(.ribbon)) .o_field_widget[name=is_rush] input:not(:checked)",
        },
        {
            content: "Mark the quotation as a rush order",
            trigger: ".o_field_widget[name=is_rush] input",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".o_field_widget[name=rush_reason] input",
            run: "edit Customer line stopped",
        },
        {
            content: "The form shows the Rush ribbon",
            trigger: ".ribbon:contains(Rush)",
        },
        {
            content: "Confirm the order",
            trigger: ".o_form_statusbar button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The quotation is a sales order",
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "It is still marked Rush",
            trigger: ".o_form_saved .ribbon:contains(Rush)",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_rush_production", {
    steps: () => [
        {
            content: "The manufacturing order shows the Rush ribbon",
            trigger: ".o_form_view .ribbon:contains(Rush)",
        },
        {
            content: "It is starred as urgent",
            trigger: ".o_field_widget[name=priority] .o_priority_star.fa-star",
        },
        {
            content: "Production can tell sales that the date cannot be met",
            trigger: ".o_form_statusbar button:contains(Cannot Meet Date)",
        },
    ],
});
