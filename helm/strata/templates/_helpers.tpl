{{- define "strata.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "strata.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "strata.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "strata.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "strata.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "strata.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: pass (dict "ctx" $ "component" "api") */}}
{{- define "strata.selectorLabels" -}}
app.kubernetes.io/name: {{ include "strata.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "strata.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "strata.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "strata.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Environment from the referenced Secrets; unnamed ones are left out. */}}
{{- define "strata.secretEnv" -}}
{{- $vars := dict
  "mongodbUrl" "STRATA_MONGODB_URL"
  "s3AccessKeyId" "STRATA_S3_ACCESS_KEY_ID"
  "s3SecretAccessKey" "STRATA_S3_SECRET_ACCESS_KEY"
  "sealingKey" "STRATA_SECRET_KEY"
  "cdsKey" "STRATA_CDS_KEY"
  "adsKey" "STRATA_ADS_KEY"
  "ewdsKey" "STRATA_EWDS_KEY"
  "clmsServiceKey" "STRATA_CLMS_SERVICE_KEY"
  "hasUsername" "STRATA_HAS_USERNAME"
  "hasPassword" "STRATA_HAS_PASSWORD"
  "metricsToken" "STRATA_METRICS_TOKEN" -}}
{{- range $key := keys $vars | sortAlpha }}
{{- $ref := index $.Values.secrets $key }}
{{- if and $ref $ref.name }}
- name: {{ index $vars $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name }}
      key: {{ $ref.key }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Environment both containers have, as list items. */}}
{{- define "strata.env" -}}
- name: STRATA_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- include "strata.secretEnv" . }}
{{- end -}}

{{/* The container parts the API and the worker share. */}}
{{- define "strata.containerCommon" -}}
image: {{ include "strata.image" . }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
envFrom:
  - configMapRef:
      name: {{ include "strata.fullname" . }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end -}}

{{- define "strata.podCommon" -}}
serviceAccountName: {{ include "strata.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 64Mi
{{- end -}}

{{- define "strata.metricsAnnotations" -}}
{{- if .ctx.Values.metrics.annotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- end -}}
