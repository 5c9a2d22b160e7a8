from . import fulfilment_cannot_meet_wizard
