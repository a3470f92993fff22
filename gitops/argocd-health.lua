-- Argo CD health check for the gallery.azure.dev kinds (Gallery, ImageDefinition, ImageVersion,
-- GallerySharing): docs/gitops.md shows where it goes. It reads the same conditions kstatus does.
local health = { status = "Progressing", message = "Waiting for the operator to reconcile" }
if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  health.message = "Being deleted"
  return health
end
if obj.status == nil or obj.status.conditions == nil then
  return health
end
local generation = obj.metadata and obj.metadata.generation
if generation ~= nil and obj.status.observedGeneration ~= nil and obj.status.observedGeneration ~= generation then
  health.message = "Waiting for the operator to act on generation " .. generation
  return health
end
local ready, reconciling, stalled
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Ready" then
    ready = condition
  elseif condition.type == "Reconciling" then
    reconciling = condition
  elseif condition.type == "Stalled" then
    stalled = condition
  end
end
if stalled ~= nil and stalled.status == "True" then
  return { status = "Degraded", message = stalled.reason .. ": " .. stalled.message }
end
if ready ~= nil and ready.reason == "Paused" then
  return { status = "Suspended", message = ready.message }
end
if reconciling ~= nil and reconciling.status == "True" then
  return { status = "Progressing", message = reconciling.reason .. ": " .. reconciling.message }
end
if ready ~= nil and ready.status == "True" then
  return { status = "Healthy", message = ready.message }
end
return health
