"""The per-request context: the app's clients, the caller (verified lazily), fresh loaders."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from graphql_api.auth import AuthenticationFailed, bearer_token
from graphql_api.dataloaders import Loaders
from graphql_api.observability import user_id_var
from graphql_api.state import AppState
from resolvers.errors import Unauthenticated
from resolvers.identity import Principal, with_grants

log = logging.getLogger(__name__)


class Context:
    """What every resolver gets as ``info.context``.

    Example::

        async def me(info: Info) -> User:
            principal = await info.context.principal()
    """

    def __init__(self, state: AppState, request: Request | WebSocket, response: Response | None) -> None:
        self.state = state
        self.request = request
        self.response = response
        self.connection_params: dict[str, Any] | None = None
        self.loaders = Loaders(state.db, state.batch_loads)
        self._principal: Principal | None = None

    @property
    def authorization(self) -> str | None:
        if self.connection_params is not None:
            value = self.connection_params.get("Authorization") or self.connection_params.get("authorization")
            return value if isinstance(value, str) else None
        return self.request.headers.get("authorization")

    async def principal(self) -> Principal:
        """The verified caller, signed in once per request; raises Unauthenticated otherwise."""
        if self._principal is not None:
            if self._principal.expired():
                raise Unauthenticated("token expired")
            return self._principal
        try:
            token = bearer_token(self.authorization)
            if token is None:
                raise Unauthenticated("sign in: send 'Authorization: Bearer <access token>'")
            claims = await self.state.verifier.verify(token)
        except AuthenticationFailed as error:
            log.info("authentication failed: %s", error)
            raise Unauthenticated(f"invalid access token: {error}") from None
        settings = self.state.settings
        signed_in = await self.state.sign_ins.sign_in(self.state.db, claims, settings.oidc_organisation_claim)
        # Shares are read afresh for every request: a revoked share grants nothing from the next one on.
        self._principal = await with_grants(self.state.db, signed_in, self.state.clock())
        user_id_var.set(str(self._principal.user_id))
        return self._principal


Info = StrawberryInfo[Context, None]
