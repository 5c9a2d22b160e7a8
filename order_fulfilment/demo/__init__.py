from . import fulfilment_demo
from . import fulfilment_quality_demo
