"""The ``strata`` command: server commands (``serve``, ``worker``, ``export-schema``), operator
commands (``quota``, ``fsck``) and people's commands (``ls``, ``upload``, ...) in modules apart."""
