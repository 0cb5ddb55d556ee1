from flask import g
from pydantic import BaseModel, Field

from ..services import consents
from . import bp
from .endpoint import endpoint
from .schemas import StrictIn


class SubscriptionsIn(StrictIn):
    template_ids: list[str] = Field(min_length=1, max_length=20,
                                    description="wx.requestSubscribeMessage 中用户同意（accept）的模板编号")


class SubscriptionsOut(BaseModel):
    consents: dict[str, int] = Field(description="每个模板还能发送的条数（一次同意一条）")


@endpoint(bp, "/subscriptions", "POST", body=SubscriptionsIn, response=SubscriptionsOut, tag="notifications",
          summary="记录订阅消息授权（每次同意可发一条）", errors=(400, 401))
def record_subscriptions(payload: SubscriptionsIn):
    return SubscriptionsOut(consents=consents.record_consents(g.user, payload.template_ids))
