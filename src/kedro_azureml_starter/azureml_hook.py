"""kedro-azureml's local-run hook, imported only by the runs that need it."""

from kedro.framework.hooks import hook_impl

_ASSET_DATASET = "AzureMLAssetDataset"


class LazyAzureMLLocalRunHook:
    """Stands in for kedro-azureml's `azure_local_run_hook` and loads it on demand.

    kedro-azureml registers its hook through an entry point, so every Kedro process imports
    the Azure ML SDK, seconds of start-up, to then do nothing unless the catalog holds an
    Azure ML data asset. pluggy skips an entry point whose name is already registered, so
    this object takes that name and hands over to the real hook only for such catalogs.
    """

    __name__ = "azure_local_run_hook"

    def __init__(self) -> None:
        self._context = None
        self._hook = None

    @hook_impl
    def after_context_created(self, context) -> None:
        self._context, self._hook = context, None

    @hook_impl
    def after_catalog_created(self, catalog) -> None:
        if not any(_ASSET_DATASET in (catalog.get_type(name) or "") for name in catalog):
            return
        from kedro_azureml.hooks import azureml_local_run_hook

        self._hook = azureml_local_run_hook
        self._hook.after_context_created(self._context)
        self._hook.after_catalog_created(catalog)

    @hook_impl
    def before_pipeline_run(self, run_params, pipeline, catalog) -> None:
        if self._hook is not None:
            self._hook.before_pipeline_run(run_params, pipeline, catalog)
