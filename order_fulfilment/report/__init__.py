from . import fulfilment_analysis
from . import fulfilment_ticket_analysis
from . import fulfilment_quality_analysis
