import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// Data (a ticket opened by an e-mail of the customer, the product in stock, the after-sales agent,
// the workshop's inventory user, the customer's portal user) come from
// tests/test_fulfilment_ticket_mail.py (TestTicketMailTour).

registry.category("web_tour.tours").add("order_fulfilment_ticket_mail_agent", {
    steps: () => [
        {
            content: "The ticket the customer's e-mail opened",
            trigger: ".o_field_widget[name=description] textarea:value(/seal leaks/)",
        },
        {
            content: "Assign the ticket to me",
            trigger: ".o_form_statusbar button[name=action_assign]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Assigned)",
        },
        {
            content: "Log the call with the customer",
            trigger: ".o_form_statusbar button:contains(Customer Contacted)",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Called the buyer: the pump comes to the workshop for a new seal",
        },
        {
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_form_statusbar:not(:has(button:contains(Customer Contacted)))",
        },
        {
            content: "The product the customer wrote about",
            trigger: ".o_field_widget[name=product_id] input",
            run: "edit Booster",
        },
        {
            trigger: ".o-autocomplete--dropdown-menu a:contains(Booster pump)",
            run: "click",
        },
        {
            content: "It is a repair",
            trigger: ".o_field_widget[name=ticket_type] select",
            run: "selectByLabel Repair",
        },
        ...stepUtils.saveForm(),
        {
            content: "Create the repair order in the repair app",
            trigger: ".o_form_statusbar button[name=action_create_repair]",
            run: "click",
        },
        {
            content: "The repair order of the ticket opens",
            trigger: ".o_form_view .o_field_widget[name=state] .o_arrow_button_current:contains(New)",
        },
        {
            trigger: ".o_form_view button[name=action_view_fulfilment_ticket]",
        },
        {
            content: "Back to the ticket",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(AS/)",
            run: "click",
        },
        {
            content: "The ticket shows the repair's status",
            trigger: ".o_notebook .nav-link:contains(Resolution)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=repair_state]:contains(New)",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_ticket_repair_workshop", {
    steps: () => [
        {
            content: "The workshop opens the repair order in the repair app",
            trigger: ".o_list_view .o_data_row:contains(Booster pump) td.o_data_cell",
            run: "click",
        },
        {
            trigger: ".o_form_statusbar button[name=action_validate]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Confirmed)",
        },
        {
            trigger: ".o_form_statusbar button[name=action_repair_start]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Under Repair)",
        },
        {
            content: "The seal is replaced: end the repair",
            trigger: ".o_form_statusbar button[name=action_repair_end]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Repaired)",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_ticket_mail_agent_close", {
    steps: () => [
        {
            content: "The repair is done",
            trigger: ".o_notebook .nav-link:contains(Resolution)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=repair_state]:contains(Repaired)",
        },
        {
            content: "Record how it was solved",
            trigger: ".o_field_widget[name=resolution] select",
            run: "selectByLabel Repair",
        },
        {
            content: "Resolve the ticket",
            trigger: ".o_form_statusbar button[name=action_resolve]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Resolved)",
        },
        {
            content: "Close the ticket: the customer gets the rating request",
            trigger: ".o_form_statusbar button[name=action_close]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Closed)",
        },
    ],
});

registry.category("web_tour.tours").add("order_fulfilment_ticket_rating_portal", {
    steps: () => [
        {
            content: "Rate the closed request: satisfied",
            trigger: ".o_fulfilment_ticket_rating a.o_fulfilment_rate_5",
            run: "click",
        },
        {
            content: "Add a comment",
            trigger: "form[action*=submit_feedback] textarea[name=feedback]",
            run: "edit Quick repair, thank you",
        },
        {
            trigger: "form[action*=submit_feedback] button[type=submit]",
            run: "click",
        },
        {
            content: "The rating is recorded",
            trigger: ".o_rating_page_thank_you",
        },
    ],
});
