from . import fulfilment_demo
