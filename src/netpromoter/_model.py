"""The base of every public model: pydantic's ``BaseModel`` with netpromoter's errors.

A model built from invalid values (``Response(score=11)``, ``NPSCounts(count=(1, 2))``,
``Template.model_validate_json(...)``) raises
[`ModelValidationError`][netpromoter.exceptions.ModelValidationError]: pydantic's
``ValidationError`` with the same ``errors()`` and message, which is also a
``NetPromoterError``. Setting an attribute of a frozen model raises it too.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import CoreSchema, ValidationError, core_schema

from netpromoter.exceptions import ModelValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pydantic.json_schema import JsonSchemaValue
    from typing_extensions import Self


def typed(exc: ValidationError) -> ModelValidationError:
    """The same validation error, as a ``ModelValidationError``.

    Examples:
        >>> from netpromoter.core import Response
        >>> try:
        ...     Response(score=11)
        ... except ModelValidationError as exc:
        ...     print(exc.errors()[0]["loc"])
        ('score',)
    """
    if isinstance(exc, ModelValidationError):
        return exc
    # ErrorDetails carry what InitErrorDetails need (type, loc, input, ctx), plus more.
    details: list[Any] = list(exc.errors())
    return ModelValidationError.from_exception_data(exc.title, details)


@contextmanager
def _typed_errors() -> Iterator[None]:
    """Raise pydantic's validation errors inside the block as ``ModelValidationError``."""
    try:
        yield
    except ValidationError as exc:
        raise typed(exc) from None


class Model(BaseModel):
    """A frozen pydantic model whose validation errors are ``ModelValidationError``.

    Unknown fields are refused (``extra="forbid"``) and no field can be changed after
    construction, in every public model and result.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, /, **data: Any) -> None:  # noqa: ANN401 - the fields, as pydantic takes them
        """Validate the fields (see the model's attributes)."""
        with _typed_errors():
            super().__init__(**data)

    @classmethod
    def model_validate(cls, *args: Any, **kwargs: Any) -> Self:  # noqa: ANN401 - pydantic's signature
        """Validate a Python object into the model (pydantic's ``model_validate``)."""
        with _typed_errors():
            return super().model_validate(*args, **kwargs)

    @classmethod
    def model_validate_json(cls, *args: Any, **kwargs: Any) -> Self:  # noqa: ANN401 - pydantic's signature
        """Validate JSON text into the model (pydantic's ``model_validate_json``)."""
        with _typed_errors():
            return super().model_validate_json(*args, **kwargs)

    @classmethod
    def model_validate_strings(cls, *args: Any, **kwargs: Any) -> Self:  # noqa: ANN401 - pydantic's signature
        """Validate string data into the model (pydantic's ``model_validate_strings``)."""
        with _typed_errors():
            return super().model_validate_strings(*args, **kwargs)

    def __setattr__(self, name: str, value: Any) -> None:  # noqa: ANN401 - any field value
        """Refuse to change a frozen model (``model_copy(update=...)`` makes a changed copy)."""
        with _typed_errors():
            super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        """Refuse to delete a field of a frozen model."""
        with _typed_errors():
            super().__delattr__(name)


class Held:
    """Annotation of a field held as given, checked only to be an instance of ``cls``.

    For fields of internal dataclasses of numpy arrays (a ``Tally``, a ``Design``):
    unlike ``InstanceOf``, no schema of the class itself is built, which pydantic before
    2.11 tries and fails to do for such a dataclass.

    Examples:
        >>> from pydantic import TypeAdapter
        >>> from fractions import Fraction
        >>> from typing import Annotated
        >>> TypeAdapter(Annotated[Fraction, Held(Fraction)]).validate_python(Fraction(1, 3))
        Fraction(1, 3)
    """

    def __init__(self, cls: type | tuple[type, ...]) -> None:
        self.cls = cls

    def __get_pydantic_core_schema__(
        self, source: object, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """Check ``isinstance`` only."""
        return core_schema.is_instance_schema(self.cls)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """Any value: such a field is internal, left out of JSON and rebuilt on reading."""
        names = " or ".join(
            c.__name__ for c in (self.cls if isinstance(self.cls, tuple) else (self.cls,))
        )
        return {"description": f"internal {names}, not part of the JSON form"}
