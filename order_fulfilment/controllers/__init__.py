from . import portal
from . import review
