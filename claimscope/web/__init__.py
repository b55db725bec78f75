"""The local web app over the library: ``claimscope serve`` (see ``claimscope.web.app``)."""

from .app import create_app

__all__ = ["create_app"]
