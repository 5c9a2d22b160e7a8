from . import portal
from . import rating
from . import review
