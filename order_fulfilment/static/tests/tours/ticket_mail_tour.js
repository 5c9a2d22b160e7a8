import { registry } from "@web/core/registry";

// Data (a ticket opened by an e-mail of the customer, the after-sales agent, the customer's portal
// user) come from tests/test_fulfilment_ticket_mail.py (TestTicketMailTour).

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
            run: "edit Called the buyer: a technician replaces the seal on site",
        },
        {
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_form_statusbar:not(:has(button:contains(Customer Contacted)))",
        },
        {
            content: "Record how it was solved",
            trigger: ".o_notebook .nav-link:contains(Resolution)",
            run: "click",
        },
        {
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
