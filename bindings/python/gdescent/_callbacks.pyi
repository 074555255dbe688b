# Types of the compiled module gdescent/_callbacks.c.
from typing import Any, Callable, Optional

#: The address of the module's gd_fdf_fn, which takes a Plain object as user.
PLAIN: int

class Plain:
    error: Optional[BaseException]
    @property
    def address(self) -> int: ...
    @property
    def fun(self) -> Callable[..., Any]: ...
    @property
    def n(self) -> int: ...
    def __init__(self, fun: Callable[..., Any], n: int, new_vector: Callable[[int], Any],
                 general_result: Callable[[Any, Optional[int]], Any]) -> None: ...
