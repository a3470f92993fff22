{{/* Names and labels shared by every template. */}}

{{- define "ago.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name; the release name alone when it already contains the chart name. */}}
{{- define "ago.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "ago.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ago.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ago.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "ago.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "ago.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "ago.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "ago.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (toString (default .Chart.AppVersion .Values.image.tag)) }}
{{- end }}
{{- end }}

{{/* Several replicas without a Lease would reconcile the same objects twice: force it on. */}}
{{- define "ago.leaderElect" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) }}true{{ else }}false{{ end }}
{{- end }}

{{- define "ago.leaseName" -}}
{{- default (include "ago.fullname" .) .Values.leaderElection.leaseName }}
{{- end }}

{{/* Is the ARM CA mounted, and from where. One source only: a template `fail` says so in words,
which a values.schema.json rule could only say as a JSON path and a keyword. */}}
{{- define "ago.armCA.enabled" -}}
{{- if and .Values.azure.armCA.configMap .Values.azure.armCA.secret }}
{{- fail "azure.armCA: set configMap or secret, not both (the CA is read from one of them)" }}
{{- end }}
{{- if or .Values.azure.armCA.configMap .Values.azure.armCA.secret }}true{{ end }}
{{- end }}

{{/* The operator's ServiceAccount as an RBAC subject (a one-item list entry). */}}
{{- define "ago.subject" -}}
- kind: ServiceAccount
  name: {{ include "ago.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}
