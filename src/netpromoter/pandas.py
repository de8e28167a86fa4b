"""``DataFrame.nps`` for pandas: importing this module registers the accessor.

Examples:
    >>> import pandas as pd
    >>> import netpromoter.pandas  # registers DataFrame.nps
    >>> df = pd.DataFrame({"score": [10, 9, 3, 8], "region": ["n", "n", "s", "s"]})
    >>> df.nps.score().nps
    25.0
    >>> [row.nps for row in df.nps.segment("region", min_n=1)]
    [100.0, -50.0]
"""

from __future__ import annotations

import pandas as pd

from netpromoter._accessor import FrameNamespace

__all__ = ["FrameNamespace"]

pd.api.extensions.register_dataframe_accessor("nps")(FrameNamespace)
