from flask import g

from ..services import orgs as org_service
from ..services.permissions import managed_orgs, require_org_in_scope
from . import bp
from .endpoint import endpoint
from .schemas import ManagedOrgsOut, OrgTreeOut
from .views import org_out

@endpoint(bp, "/orgs/<int:org_id>", "GET", response=OrgTreeOut, tag="orgs",
          summary="管理范围内的一个组织及其下级（管理员）", errors=(401, 403, 404))
def get_org(org_id: int):
    org = require_org_in_scope(g.user, org_id)
    return OrgTreeOut(**org_out(org).model_dump(),
                      children=[org_out(c) for c in org_service.children(org)])


@endpoint(bp, "/orgs/managed", "GET", response=ManagedOrgsOut, tag="orgs",
          summary="我管理的全部组织（按层级排列）", errors=(401,))
def list_managed():
    return ManagedOrgsOut(orgs=[org_out(o) for o in managed_orgs(g.user)])
