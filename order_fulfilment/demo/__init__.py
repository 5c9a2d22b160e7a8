from . import fulfilment_demo
from . import fulfilment_quality_demo
from . import fulfilment_aftersales_demo
