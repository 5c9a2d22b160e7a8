# Release and delivery controls
from . import fulfilment_pod_wizard
