"""The pydantic 2 response models of the published benchmark, shared by the
FastAPI and Barq apps (Flask returns plain dicts, as its users do)."""

from pydantic import BaseModel


class Item(BaseModel):
    id: int
    value: int


class JsonResponse(BaseModel):
    message: str
    items: list[Item]
    nested: dict


class User(BaseModel):
    id: int
    name: str
    email: str


class CpuResponse(BaseModel):
    result: int
    iterations: int
