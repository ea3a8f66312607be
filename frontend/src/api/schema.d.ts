/**
 * The server's API, generated from its OpenAPI document by `npm run gen:api` (`make api-types`):
 * do not edit. The app's names for these shapes are in types.ts.
 */

export interface paths {
    "/api/admin/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Audit Trail
         * @description The audit trail, newest first, filtered by person, action, object and time.
         */
        get: operations["audit_trail_api_admin_audit_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/projects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Projects */
        get: operations["list_projects_api_admin_projects_get"];
        put?: never;
        /** Add Project */
        post: operations["add_project_api_admin_projects_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/projects/{project_id}/members/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Add Member */
        put: operations["add_member_api_admin_projects__project_id__members__user_id__put"];
        post?: never;
        /** Remove Member */
        delete: operations["remove_member_api_admin_projects__project_id__members__user_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/tokens/{token_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke Token */
        delete: operations["revoke_token_api_admin_tokens__token_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List Users */
        get: operations["list_users_api_admin_users_get"];
        put?: never;
        /** Add User */
        post: operations["add_user_api_admin_users_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/users/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update User
         * @description Disable or enable a person (every token of theirs stops or works again), or set their own
         *     limit of waiting jobs (``default_limit``: back to the server's).
         */
        patch: operations["update_user_api_admin_users__user_id__patch"];
        trace?: never;
    };
    "/api/admin/users/{user_id}/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** User Tokens */
        get: operations["user_tokens_api_admin_users__user_id__tokens_get"];
        put?: never;
        /**
         * Create User Token
         * @description A token for a person (or a service account); its text is in this answer only.
         */
        post: operations["create_user_token_api_admin_users__user_id__tokens_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/dicom/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Config */
        get: operations["get_config_api_dicom_config_get"];
        /**
         * Put Config
         * @description Replace the destinations and rules (checked first: nothing changes when one is refused).
         */
        put: operations["put_config_api_dicom_config_put"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/dicom/node": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Node Status */
        get: operations["node_status_api_dicom_node_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/dicom/sends/{send_id}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resend Failed
         * @description Try a failed send again now (e.g. once the planning system is back).
         */
        post: operations["resend_failed_api_dicom_sends__send_id__resend_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/dicom/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Worklist
         * @description Series the DICOM node received, newest first, with their rule, protocol, job, review state
         *     and each destination's send; a page at a time with ``limit`` and ``before``.
         */
        get: operations["worklist_api_dicom_series_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/dicom/series/{series_id}/approve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Approve Series
         * @description Approve the drafts (as edited in the viewer) of a series held for review: they are sent
         *     to the rule's destinations.
         */
        post: operations["approve_series_api_dicom_series__series_id__approve_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Health
         * @description Liveness: answered on the event loop itself (no worker thread, no lock, no database,
         *     no model), so it stays fast while uploads are parsed and jobs submitted.
         */
        get: operations["health_api_health_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Info */
        get: operations["info_api_info_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Jobs
         * @description The jobs the caller may see (their own and their projects'; everything for an
         *     administrator), newest first.
         */
        get: operations["list_jobs_api_jobs_get"];
        put?: never;
        /** Create Job */
        post: operations["create_job_api_jobs_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Job */
        get: operations["get_job_api_jobs__job_id__get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel Job */
        post: operations["cancel_job_api_jobs__job_id__cancel_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Job Events
         * @description Server-Sent Events: a JSON status on every change, until the job ends.
         */
        get: operations["job_events_api_jobs__job_id__events_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/labelmap.nii.gz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download Labelmap */
        get: operations["download_labelmap_api_jobs__job_id__labelmap_nii_gz_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/labels.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Job Labels
         * @description ``[{value, name, color, index, source}]`` of the label map with the same ``masks``.
         */
        get: operations["job_labels_api_jobs__job_id__labels_json_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/labels.txt": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Job Labels Itksnap
         * @description The ITK-SNAP label description file matching ``labelmap.nii.gz`` with the same ``masks``.
         */
        get: operations["job_labels_itksnap_api_jobs__job_id__labels_txt_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/masks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Save Edited Mask */
        post: operations["save_edited_mask_api_jobs__job_id__masks_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/masks.zip": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download All */
        get: operations["download_all_api_jobs__job_id__masks_zip_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/masks/{index}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete Result Mask
         * @description Delete one mask of a finished job; downloads, the label map and DICOM exports lose it too.
         */
        delete: operations["delete_result_mask_api_jobs__job_id__masks__index__delete"];
        options?: never;
        head?: never;
        /**
         * Update Result Mask
         * @description Rename and/or recolour mask ``index`` of a finished job; every export uses the new name
         *     and colour.
         */
        patch: operations["update_result_mask_api_jobs__job_id__masks__index__patch"];
        trace?: never;
    };
    "/api/jobs/{job_id}/masks/{index}.nii.gz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download Mask */
        get: operations["download_mask_api_jobs__job_id__masks__index__nii_gz_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/pacs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Store Result
         * @description Build the job's DICOM SEG or RTSTRUCT exactly as the ``seg.dcm`` / ``rtstruct.dcm``
         *     downloads and store it in the archive (STOW-RS). Volumes that came from DICOM only (409).
         */
        post: operations["store_result_api_jobs__job_id__pacs_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/rtstruct.dcm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download Rtstruct
         * @description All masks (or ``?mask=i``, or ``?masks=i,j``) as one RT Structure Set on the source series
         *     (DICOM uploads only).
         */
        get: operations["download_rtstruct_api_jobs__job_id__rtstruct_dcm_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{job_id}/seg.dcm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download Dicom Seg
         * @description All masks (or ``?mask=i``, or ``?masks=i,j``) as one DICOM SEG referencing the source series
         *     (DICOM uploads only).
         */
        get: operations["download_dicom_seg_api_jobs__job_id__seg_dcm_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Who Am I
         * @description The signed-in person (the web app calls it once when it signs in: a ``login`` event).
         */
        get: operations["who_am_i_api_me_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * My Tokens
         * @description The caller's own tokens (never their secrets).
         */
        get: operations["my_tokens_api_me_tokens_get"];
        put?: never;
        /**
         * Create My Token
         * @description A new token of the caller's; its text is in this answer only.
         */
        post: operations["create_my_token_api_me_tokens_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/me/tokens/{token_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Revoke My Token
         * @description Revoke one of the caller's own tokens (anyone else's: 404).
         */
        delete: operations["revoke_my_token_api_me_tokens__token_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pacs/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import Series
         * @description Retrieve a series (WADO-RS, within the upload limits) and store it as a volume, read and
         *     checked exactly as a DICOM upload, as the caller's. The same series again (by the same person)
         *     answers 200 with the stored volume.
         */
        post: operations["import_series_api_pacs_import_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pacs/studies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search Studies
         * @description QIDO-RS study search in the configured archive (patient name and id are returned, never logged).
         */
        get: operations["search_studies_api_pacs_studies_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/pacs/studies/{study_uid}/series": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Series
         * @description The series of one study, with an orientation hint (404 when the archive has no such study).
         */
        get: operations["list_series_api_pacs_studies__study_uid__series_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/prompts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Prompts
         * @description Embedding-bank prompts matching ``q``: prefix matches first, then substring matches.
         */
        get: operations["prompts_api_prompts_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/protocols": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Protocols
         * @description Every protocol, by id.
         */
        get: operations["list_protocols_api_protocols_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/protocols/{protocol_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Protocol */
        get: operations["get_protocol_api_protocols__protocol_id__get"];
        /**
         * Put Protocol
         * @description Create or replace a protocol (administrators). Unknown interpreted types and repeated
         *     structure names are refused (409: the structures clash); TG-263 naming advice comes back as
         *     ``warnings``.
         */
        put: operations["put_protocol_api_protocols__protocol_id__put"];
        post?: never;
        /** Delete Protocol */
        delete: operations["delete_protocol_api_protocols__protocol_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Ready
         * @description Readiness: embedded, the model is loaded and the runner takes jobs (no database access);
         *     distributed, at least one worker heartbeats.
         */
        get: operations["ready_api_ready_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/sign-in": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Sign In Options
         * @description How to sign in (open: the web app asks before anyone has signed in): whether sign-in is
         *     required, and the OpenID Connect provider's issuer and the app's client id, if one is set.
         */
        get: operations["sign_in_options_api_sign_in_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/volumes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Volumes
         * @description The volumes the caller may see (their own and their projects'; everything for an
         *     administrator), newest first.
         */
        get: operations["list_volumes_api_volumes_get"];
        put?: never;
        /** Upload Volume */
        post: operations["upload_volume_api_volumes_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/volumes/{volume_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Volume */
        get: operations["get_volume_api_volumes__volume_id__get"];
        put?: never;
        post?: never;
        /** Delete Volume */
        delete: operations["delete_volume_api_volumes__volume_id__delete"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/volumes/{volume_id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Export Case
         * @description Masks of several finished jobs of one volume as one file. 404 for a volume or job the caller
         *     may not see (as for one that does not exist), a job of another volume, or a mask the job does
         *     not have; 409 for an unfinished job, or SEG/RTSTRUCT of a volume not uploaded as DICOM.
         */
        post: operations["export_case_api_volumes__volume_id__export_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/volumes/{volume_id}/image": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get Volume Image */
        get: operations["get_volume_image_api_volumes__volume_id__image_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/workers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List Workers
         * @description Workers online (distributed mode; empty when embedded): heartbeat within
         *     ``VOXTELL_WORKER_LOST_AFTER_S``.
         */
        get: operations["list_workers_api_workers_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/capabilities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Capabilities
         * @description Model name, patch size and the embedding-bank prompts (``available_embeddings``).
         */
        get: operations["capabilities_capabilities_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Healthz
         * @description Liveness, always open (as the official server).
         */
        get: operations["healthz_healthz_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/images": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload Image
         * @description Store the image as a volume of ours (the same id in ``/api/volumes``) and answer its RAS array.
         */
        post: operations["upload_image_images_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/images/{image_id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Export Labelmap
         * @description Write a label map (RAS-array order, the image's shape) back as the original file would be.
         */
        post: operations["export_labelmap_images__image_id__export_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start Job
         * @description ``{image_id, prompts (a string or a list of non-empty strings), keep_largest}`` -> ``{job_id}``:
         *     an ordinary job of ours (``GET /api/jobs/{job_id}`` shows it).
         */
        post: operations["start_job_jobs_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Cancel Job
         * @description Queued: never starts; running: stops at the next window (the stream then ends with
         *     ``cancelled``). ``cancelling`` is false when the job had already finished.
         */
        post: operations["cancel_job_jobs__job_id__cancel_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Job Events
         * @description Progress of the job as NDJSON until its terminal status (a finished job: at once).
         */
        get: operations["job_events_jobs__job_id__events_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/jobs/{job_id}/result": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Job Result
         * @description The job's masks in RAS-array order; 409 until it has finished.
         */
        get: operations["job_result_jobs__job_id__result_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metrics
         * @description Queue depth, running jobs, workers online, jobs submitted / rejected / finished, waiting and
         *     running times, sliding windows, HTTP requests by route template, the engine's cache hits,
         *     text encoder loads and out-of-memory fallbacks. No label names a person, patient or prompt.
         */
        get: operations["metrics_metrics_get"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/predict": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict
         * @description One prompt -> its mask; several -> a label map (label i = prompt i, later prompts win).
         *     With ``protocol``: its structures' prompts, named by their structure names.
         */
        post: operations["predict_predict_post"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * AuditAction
         * @enum {string}
         */
        AuditAction: "login" | "denied" | "upload" | "view" | "infer" | "download" | "export" | "pacs_import" | "pacs_store" | "edit" | "delete" | "admin" | "dicom_receive" | "dicom_send" | "approve";
        /** AuditEventInfo */
        AuditEventInfo: {
            /** Action */
            action: string;
            /** At */
            at: number;
            /**
             * Detail
             * @description an infer's prompts (JSON), only with VOXTELL_AUDIT_PROMPTS
             */
            detail?: string | null;
            /** Hash */
            hash: string;
            /** Object Id */
            object_id: string | null;
            /** Object Type */
            object_type: string | null;
            /** Outcome */
            outcome: number;
            /** Request Id */
            request_id: string | null;
            /** Seq */
            seq: number;
            /** Source */
            source: string | null;
            /** Token Id */
            token_id: string | null;
            /** User Id */
            user_id: string | null;
            /** Via */
            via: string;
        };
        /**
         * AuthVia
         * @description How a request was signed in (kept in each audit event).
         * @enum {string}
         */
        AuthVia: "local" | "key" | "token" | "oidc" | "dicom" | "none";
        /** Body_predict_predict_post */
        Body_predict_predict_post: {
            /**
             * Fill Holes
             * @default false
             */
            fill_holes: boolean;
            /**
             * Image
             * @description .nii, .nii.gz, .nrrd, .mha or a DICOM .zip
             */
            image: string;
            /**
             * Keep Largest Component
             * @default false
             */
            keep_largest_component: boolean;
            /**
             * Prompt
             * @description one or more prompts (or a protocol)
             */
            prompt?: [
                string,
                ...string[]
            ] | null;
            /**
             * Protocol
             * @description a protocol's id instead of prompts: its structures' names label the answer
             */
            protocol?: string | null;
            /**
             * Series Uid
             * @description DICOM zip with several series
             */
            series_uid?: string | null;
        };
        /** Body_save_edited_mask_api_jobs__job_id__masks_post */
        Body_save_edited_mask_api_jobs__job_id__masks_post: {
            /**
             * Color
             * @description 'r,g,b' (0..255); default: the next palette colour
             */
            color?: string | null;
            /** File */
            file: string;
            /**
             * Name
             * @default edited mask
             */
            name: string;
        };
        /** Body_upload_volume_api_volumes_post */
        Body_upload_volume_api_volumes_post: {
            /**
             * Display Name
             * @description NIfTI/NRRD/MHA: the file's name to show (header.file_name; its last path component, control characters removed, at most 200 characters; never used as a path)
             */
            display_name?: string | null;
            /**
             * File
             * @description .nii/.nii.gz/.nrrd/.mha, a DICOM .zip, or DICOM files
             */
            file: [
                string,
                ...string[]
            ];
            /**
             * Project
             * @description a project id of yours: its members see the volume and its jobs too
             */
            project?: string | null;
            /**
             * Series Uid
             * @description which DICOM series, when the upload holds several
             */
            series_uid?: string | null;
        };
        /**
         * CaseExport
         * @description What to export: the format, and the masks in the order the file holds them (label value
         *     ``k + 1``, segment or ROI number ``k + 1`` = ``masks[k]``).
         */
        CaseExport: {
            /**
             * Format
             * @enum {string}
             */
            format: "zip" | "labelmap" | "labels-json" | "labels-txt" | "seg" | "rtstruct";
            /** Masks */
            masks: components["schemas"]["MaskRef"][];
        };
        /**
         * DicomConfig
         * @description The DICOM node's destinations and rules (first matching rule wins); see docs/dicom-node.md.
         *     What the schema cannot say (a rule naming a destination or protocol that does not exist, a name
         *     used twice, a C-STORE destination without its AE title, host and port) answers 409.
         */
        DicomConfig: {
            /** Destinations */
            destinations?: components["schemas"]["DicomDestination"][];
            /** Rules */
            rules?: components["schemas"]["DicomRule"][];
        };
        /**
         * DicomDestination
         * @description Where results go: a DICOM peer by C-STORE (optionally over TLS), or the configured DICOMweb
         *     archive by STOW-RS (``dicomweb: true``).
         */
        DicomDestination: {
            /** Ae Title */
            ae_title?: string | null;
            /** Ca File */
            ca_file?: string | null;
            /** Cert File */
            cert_file?: string | null;
            /**
             * Dicomweb
             * @default false
             */
            dicomweb: boolean;
            /** Host */
            host?: string | null;
            /** Key File */
            key_file?: string | null;
            /** Name */
            name: string;
            /** Port */
            port?: number | null;
            /**
             * Tls
             * @default false
             */
            tls: boolean;
        };
        /** DicomMatch */
        DicomMatch: {
            /** Body Part */
            body_part?: string | null;
            /** Called Ae */
            called_ae?: string | null;
            /** Image Type */
            image_type?: string[];
            /** Instances */
            instances?: [
                number,
                number
            ] | null;
            /** Modality */
            modality?: string | null;
            /** Orientation */
            orientation?: ("axial" | "coronal" | "sagittal") | null;
            /**
             * Series Description
             * @description a regular expression, searched, case-insensitive
             */
            series_description?: string | null;
            /** Slice Thickness */
            slice_thickness?: [
                number,
                number
            ] | null;
        };
        /** DicomNodeStatus */
        DicomNodeStatus: {
            /** Ae Title */
            ae_title: string;
            /** Enabled */
            enabled: boolean;
            /** Port */
            port: number | null;
        };
        /** DicomRule */
        DicomRule: {
            /** Id */
            id: string;
            match?: components["schemas"]["DicomMatch"];
            /** Project */
            project?: string | null;
            /**
             * Protocol
             * @description a protocol's id, e.g. pelvis-rt
             */
            protocol: string;
            /** Quiet S */
            quiet_s?: number | null;
            /**
             * Review
             * @default auto
             * @enum {string}
             */
            review: "auto" | "review";
            /** Send */
            send?: components["schemas"]["DicomSend"][];
        };
        /** DicomSend */
        DicomSend: {
            /** Destination */
            destination: string;
            /**
             * Format
             * @default rtstruct
             * @enum {string}
             */
            format: "rtstruct" | "seg";
        };
        /** DicomSendInfo */
        DicomSendInfo: {
            /** Attempts */
            attempts: number;
            /** Destination */
            destination: string;
            /**
             * Format
             * @enum {string}
             */
            format: "rtstruct" | "seg";
            /** Id */
            id: string;
            /**
             * Last Error
             * @description the peer's status or the network error of the last try
             */
            last_error: string | null;
            /**
             * Next At
             * @description when the next try is due (pending)
             */
            next_at: number | null;
            /** Sent At */
            sent_at: number | null;
            /**
             * State
             * @enum {string}
             */
            state: "pending" | "sent" | "failed";
            /**
             * Tries
             * @description how many tries a send gets before it is failed (the server's dicom_send_retries)
             */
            tries: number;
        };
        /**
         * DicomSeriesInfo
         * @description A series the DICOM node received, as the worklist shows it (no patient fields: open the
         *     volume for its banner).
         */
        DicomSeriesInfo: {
            /** Approved By */
            approved_by: string | null;
            /** Called Ae */
            called_ae: string | null;
            /** Calling Ae */
            calling_ae: string | null;
            /** Id */
            id: string;
            /** Instances */
            instances: number;
            /** Job Id */
            job_id: string | null;
            /** Modality */
            modality: string | null;
            /** Project */
            project: string | null;
            /** Protocol */
            protocol: string | null;
            /** Reason */
            reason: string | null;
            /** Received */
            received: number;
            /** Review */
            review: ("auto" | "review") | null;
            /** Rule */
            rule: string | null;
            /** Sends */
            sends: components["schemas"]["DicomSendInfo"][];
            /** Series Description */
            series_description: string | null;
            /**
             * State
             * @enum {string}
             */
            state: "unmatched" | "refused" | "queued" | "review" | "sending" | "done" | "failed";
            /** Volume Id */
            volume_id: string | null;
        };
        /**
         * ErrorDetail
         * @description Every error answer: ``{"detail": "what went wrong, in words"}``.
         */
        ErrorDetail: {
            /** Detail */
            detail: string;
        };
        /** Info */
        Info: {
            /** Auth Required */
            auth_required: boolean;
            /** Demo */
            demo: boolean;
            /**
             * Demo Notice
             * @description what to show while the demo model is loaded
             */
            demo_notice?: string | null;
            /** Device */
            device: string;
            /**
             * Mode
             * @default embedded
             * @enum {string}
             */
            mode: "embedded" | "distributed";
            /** Model Name */
            model_name: string;
            /**
             * Pacs
             * @description a DICOMweb archive is configured (the /api/pacs routes)
             * @default false
             */
            pacs: boolean;
            /** Patch Size */
            patch_size: number[];
            /** Path */
            path: string;
            /** Precision */
            precision: string;
            /** Queue Length */
            queue_length: number;
            /**
             * Workers Online
             * @description distributed: workers heartbeating; embedded: 1
             * @default 1
             */
            workers_online: number;
        };
        /** JobCreate */
        JobCreate: {
            options?: components["schemas"]["JobOptions"];
            /**
             * Prompts
             * @description the text prompts; or give a protocol instead
             */
            prompts?: [
                string,
                ...string[]
            ] | null;
            /**
             * Protocol
             * @description run a protocol's structures instead of prompts: their names, colours and interpreted types go into the results and exports
             */
            protocol?: string | null;
            /** Volume Id */
            volume_id: string;
        };
        /** JobOptions */
        JobOptions: {
            /**
             * Fill Holes
             * @default false
             */
            fill_holes: boolean;
            /**
             * Keep Largest Component
             * @default false
             */
            keep_largest_component: boolean;
            /** Tile Step Size */
            tile_step_size?: number | null;
        };
        /** JobStatus */
        JobStatus: {
            /** Created */
            created: number;
            /** Done */
            done: number;
            /** Error */
            error: string | null;
            /**
             * Error Kind
             * @description why a failed job failed: the input, a server limit, or the server itself
             */
            error_kind?: ("invalid_input" | "timeout" | "disk_full" | "interrupted" | "internal") | null;
            /** Eta S */
            eta_s: number | null;
            /** Finished */
            finished: number | null;
            /** Id */
            id: string;
            /**
             * Notices
             * @description the engine's notices, e.g. out-of-memory fallbacks
             */
            notices?: string[];
            /** Options */
            options: {
                [key: string]: unknown;
            };
            /**
             * Owner
             * @description the user id of whoever submitted it
             */
            owner?: string | null;
            /**
             * Phase
             * @description what the job is doing now, in plain words
             * @default queued
             * @enum {string}
             */
            phase: "queued" | "loading_text_model" | "encoding_prompts" | "segmenting" | "writing_results" | "done" | "failed" | "cancelled";
            /**
             * Phase Log
             * @description every phase the job went through, in order (kept after it ends)
             */
            phase_log?: components["schemas"]["PhaseEntry"][];
            /**
             * Project
             * @description its volume's project: the members see it too
             */
            project?: string | null;
            /** Prompts */
            prompts: string[];
            /**
             * Protocol
             * @description the protocol it ran, if it was given one
             */
            protocol?: string | null;
            /** Queue Position */
            queue_position: number | null;
            /** Results */
            results: components["schemas"]["MaskResult"][];
            /** Started */
            started: number | null;
            /**
             * Status
             * @enum {string}
             */
            status: "queued" | "running" | "done" | "failed" | "cancelled";
            /** Total */
            total: number;
            /** Volume Id */
            volume_id: string;
        };
        /**
         * MaskRef
         * @description One mask of the case: a job of the volume and the index of one of its results.
         */
        MaskRef: {
            /** Job */
            job: string;
            /** Mask */
            mask: number;
        };
        /** MaskResult */
        MaskResult: {
            /**
             * Bbox
             * @description half-open [lo, hi) per RAS-array axis (S, A, R)
             */
            bbox: number[][] | null;
            /**
             * Bbox Voxel
             * @description half-open [lo, hi) per file voxel axis (the frame of VolumeInfo.shape)
             */
            bbox_voxel?: number[][] | null;
            /**
             * Centre Mm
             * @description world RAS mm (the volume file's affine) of the mask voxel nearest to its centroid
             */
            centre_mm?: number[] | null;
            /**
             * Color
             * @description display colour [r, g, b] 0..255 (default: the server's palette by index)
             */
            color: [
                number,
                number,
                number
            ];
            /** Components */
            components: number;
            /** File */
            file: string;
            /** Index */
            index: number;
            /**
             * Interpreted Type
             * @description RT ROI Interpreted Type from the job's protocol (RTSTRUCT exports; ORGAN if null)
             */
            interpreted_type?: string | null;
            /** Mean */
            mean: number | null;
            /** Name */
            name: string;
            /** @description an edit of a model's mask: what the reviewer changed (absent otherwise) */
            review?: components["schemas"]["MaskReview"] | null;
            /** Sd */
            sd: number | null;
            /**
             * Source
             * @enum {string}
             */
            source: "model" | "edited";
            /** Volume Ml */
            volume_ml: number;
            /** Voxels */
            voxels: number;
        };
        /**
         * MaskReview
         * @description An edited mask against the model's draft it was drawn from (backend/domain/review.py).
         */
        MaskReview: {
            /**
             * Dice
             * @description Dice overlap of draft and edit, 0..1
             */
            dice: number;
            /**
             * Draft
             * @description index of the model's result the edit was drawn from
             */
            draft: number;
            /**
             * Hd95 Mm
             * @description 95th percentile symmetric surface distance (mm); null if one is empty
             */
            hd95_mm: number | null;
            /** Volume Ml After */
            volume_ml_after: number;
            /** Volume Ml Before */
            volume_ml_before: number;
        };
        /**
         * MaskUpdate
         * @description ``PATCH /api/jobs/{id}/masks/{i}``: a new name, a new colour, or both.
         */
        MaskUpdate: {
            /** Color */
            color?: [
                number,
                number,
                number
            ];
            /** Name */
            name?: string;
        };
        /**
         * Me
         * @description Who is signed in (the web app shows it with a sign-out).
         */
        Me: {
            /** Id */
            id: string;
            /** Name */
            name: string;
            /** Projects */
            projects: components["schemas"]["ProjectRef"][];
            role: components["schemas"]["Role"];
            scope: components["schemas"]["Scope"];
            /**
             * Sign In Required
             * @description false on a workstation without VOXTELL_API_KEY
             */
            sign_in_required: boolean;
            /** @description how this request signed in */
            via: components["schemas"]["AuthVia"];
        };
        /** OidcSignIn */
        OidcSignIn: {
            /** Client Id */
            client_id: string;
            /** Issuer */
            issuer: string;
            /** Resource */
            resource?: string | null;
            /**
             * Scope
             * @default openid profile
             */
            scope: string;
        };
        /** PacsImport */
        PacsImport: {
            /** Series Uid */
            series_uid: string;
            /** Study Uid */
            study_uid: string;
        };
        /** PacsSeries */
        PacsSeries: {
            /** Body Part */
            body_part: string;
            /** Description */
            description: string;
            /** Instance Count */
            instance_count: number | null;
            /** Modality */
            modality: string;
            /**
             * Orientation
             * @description from ImageOrientationPatient; empty when the archive does not say
             * @enum {string}
             */
            orientation: "axial" | "coronal" | "sagittal" | "oblique" | "";
            /** Series Number */
            series_number: number | null;
            /** Series Uid */
            series_uid: string;
        };
        /** PacsStore */
        PacsStore: {
            /**
             * Format
             * @enum {string}
             */
            format: "seg" | "rtstruct";
            /**
             * Mask
             * @description one mask's index; all masks when absent
             */
            mask?: number | null;
        };
        /** PacsStored */
        PacsStored: {
            /**
             * Format
             * @enum {string}
             */
            format: "seg" | "rtstruct";
            /** Series Description */
            series_description: string;
            /** Series Uid */
            series_uid: string;
            /** Sop Instance Uid */
            sop_instance_uid: string;
            /** Study Uid */
            study_uid: string;
        };
        /** PacsStudy */
        PacsStudy: {
            /** Accession Number */
            accession_number: string;
            /** Description */
            description: string;
            /** Instance Count */
            instance_count: number | null;
            /** Modalities */
            modalities: string[];
            /** Patient Id */
            patient_id: string;
            /** Patient Name */
            patient_name: string;
            /** Series Count */
            series_count: number | null;
            /** Study Date */
            study_date: string;
            /** Study Time */
            study_time: string;
            /** Study Uid */
            study_uid: string;
        };
        /** PhaseEntry */
        PhaseEntry: {
            /**
             * Finished
             * @description null while the phase lasts
             */
            finished: number | null;
            /**
             * Phase
             * @enum {string}
             */
            phase: "queued" | "loading_text_model" | "encoding_prompts" | "segmenting" | "writing_results" | "done" | "failed" | "cancelled";
            /**
             * Started
             * @description seconds since the epoch
             */
            started: number;
        };
        /** ProjectCreate */
        ProjectCreate: {
            /** Name */
            name: string;
        };
        /** ProjectInfo */
        ProjectInfo: {
            /** Id */
            id: string;
            /**
             * Members
             * @description user ids
             */
            members: string[];
            /** Name */
            name: string;
        };
        /** ProjectRef */
        ProjectRef: {
            /** Id */
            id: string;
            /** Name */
            name: string;
        };
        /**
         * ProtocolBody
         * @description A protocol as an administrator writes it (``PUT /api/protocols/{id}``; the id is the path's).
         */
        ProtocolBody: {
            /**
             * Description
             * @default
             */
            description: string;
            /** Modality */
            modality?: ("CT" | "MR" | "PT" | "NM" | "US" | "CR" | "DX" | "MG" | "XA") | null;
            /** Name */
            name: string;
            /** Structures */
            structures: components["schemas"]["StructureSpec"][];
        };
        /** ProtocolInfo */
        ProtocolInfo: {
            /**
             * Description
             * @default
             */
            description: string;
            /** Id */
            id: string;
            /** Modality */
            modality?: ("CT" | "MR" | "PT" | "NM" | "US" | "CR" | "DX" | "MG" | "XA") | null;
            /** Name */
            name: string;
            /**
             * Shipped
             * @description it came with VoxTell (an administrator may have edited it since)
             */
            shipped: boolean;
            /** Structures */
            structures: components["schemas"]["StructureSpec"][];
            /** Updated */
            updated: number;
            /** Updated By */
            updated_by: string | null;
            /**
             * Warnings
             * @description TG-263 naming advice (not enforced)
             */
            warnings: string[];
        };
        /**
         * Role
         * @description What a person (or a script) may do. ``admin``: manage users and tokens, read the audit
         *     trail, see everything (each such access audited); ``user``: their own data; ``service``: a
         *     script or the DICOM node, as a user.
         * @enum {string}
         */
        Role: "admin" | "user" | "service";
        /**
         * Scope
         * @description What a personal API token may do: ``read`` only GET requests, ``full`` everything its user may.
         * @enum {string}
         */
        Scope: "read" | "full";
        /**
         * SeriesChoice
         * @description 409 of an upload with several DICOM series: pick one and send again with ``series_uid``.
         */
        SeriesChoice: {
            /** Detail */
            detail: string;
            /** Series */
            series: {
                [key: string]: unknown;
            }[];
        };
        /**
         * SignIn
         * @description How to sign in to this server (asked before signing in: no patient data, no secrets).
         */
        SignIn: {
            /**
             * Api Tokens
             * @description an API key or personal token is accepted
             */
            api_tokens: boolean;
            /** @description the hospital's OpenID Connect provider, if any */
            oidc?: components["schemas"]["OidcSignIn"] | null;
            /**
             * Required
             * @description false on a workstation: every request is the local user
             */
            required: boolean;
        };
        /** StructureSpec */
        StructureSpec: {
            /** Color */
            color: [
                number,
                number,
                number
            ];
            /**
             * Fill Holes
             * @default false
             */
            fill_holes: boolean;
            /**
             * Interpreted Type
             * @default ORGAN
             * @enum {string}
             */
            interpreted_type: "EXTERNAL" | "PTV" | "CTV" | "GTV" | "AVOIDANCE" | "ORGAN" | "MARKER" | "REGISTRATION" | "ISOCENTER" | "CONTRAST_AGENT" | "CAVITY" | "BRACHY_CHANNEL" | "BRACHY_ACCESSORY" | "BRACHY_SRC_APP" | "BRACHY_CHNL_SHLD" | "SUPPORT" | "FIXATION" | "DOSE_REGION" | "CONTROL";
            /**
             * Keep Largest Component
             * @default false
             */
            keep_largest_component: boolean;
            /**
             * Name
             * @description the structure name written in exports (TG-263: at most 16 characters, _L/_R suffixes)
             */
            name: string;
            /**
             * Prompt
             * @description the text sent to the model
             */
            prompt: string;
        };
        /** TokenCreate */
        TokenCreate: {
            /**
             * Expires Days
             * @description default: never
             */
            expires_days?: number | null;
            /**
             * Name
             * @default token
             */
            name: string;
            /** @default full */
            scope: components["schemas"]["Scope"];
        };
        /** TokenCreated */
        TokenCreated: {
            /** Created */
            created: number;
            /** Expires */
            expires: number | null;
            /** Id */
            id: string;
            /** Last Used */
            last_used: number | null;
            /** Name */
            name: string;
            /** Revoked */
            revoked: number | null;
            scope: components["schemas"]["Scope"];
            /**
             * Token
             * @description vxt_<id>_<secret>: shown this once, only its hash is kept
             */
            token: string;
            /** User Id */
            user_id: string;
        };
        /** TokenInfo */
        TokenInfo: {
            /** Created */
            created: number;
            /** Expires */
            expires: number | null;
            /** Id */
            id: string;
            /** Last Used */
            last_used: number | null;
            /** Name */
            name: string;
            /** Revoked */
            revoked: number | null;
            scope: components["schemas"]["Scope"];
            /** User Id */
            user_id: string;
        };
        /** UserCreate */
        UserCreate: {
            /** Name */
            name: string;
            /** @default user */
            role: components["schemas"]["Role"];
        };
        /** UserInfo */
        UserInfo: {
            /** Created */
            created: number;
            /** Disabled */
            disabled: boolean;
            /** Id */
            id: string;
            /**
             * Max Daily Compute S
             * @description the user's own compute seconds per UTC day; null: the server's
             */
            max_daily_compute_s: number | null;
            /**
             * Max Queued
             * @description the user's own limit of waiting jobs; null: the server's
             */
            max_queued: number | null;
            /** Name */
            name: string;
            role: components["schemas"]["Role"];
        };
        /** UserUpdate */
        UserUpdate: {
            /**
             * Default Limit
             * @description true: back to the server's limits (waiting jobs and compute per day)
             * @default false
             */
            default_limit: boolean;
            /** Disabled */
            disabled?: boolean | null;
            /** Max Daily Compute S */
            max_daily_compute_s?: number | null;
            /** Max Queued */
            max_queued?: number | null;
        };
        /**
         * VolumeHeader
         * @description What the upload said about whom and what it shows (patient data: never logged), for the
         *     viewer's banner and the case list. DICOM fields as parsed (dates ``YYYY-MM-DD``); a NIfTI, NRRD
         *     or MHA upload has only ``file_name``, the display name it was sent with (sanitised, never a path).
         */
        VolumeHeader: {
            /**
             * File Name
             * @description NIfTI/NRRD/MHA: the name it was uploaded under
             */
            file_name?: string | null;
            /** Modality */
            modality?: string | null;
            /**
             * Patient Birth Date
             * @description YYYY-MM-DD
             */
            patient_birth_date?: string | null;
            /** Patient Id */
            patient_id?: string | null;
            /**
             * Patient Name
             * @description DICOM PatientName as stored (PN, components split by ^)
             */
            patient_name?: string | null;
            /** Patient Sex */
            patient_sex?: string | null;
            /** Series Description */
            series_description?: string | null;
            /**
             * Study Date
             * @description YYYY-MM-DD
             */
            study_date?: string | null;
            /** Study Description */
            study_description?: string | null;
        };
        /** VolumeInfo */
        VolumeInfo: {
            /** Affine */
            affine: number[][];
            /**
             * Created
             * @description when it was stored (seconds since the epoch)
             */
            created?: number | null;
            /** Dtype */
            dtype: string;
            /**
             * Format
             * @default nifti
             */
            format: string;
            /** @description patient and study fields (patient data) */
            header?: components["schemas"]["VolumeHeader"] | null;
            /** Id */
            id: string;
            /** Intensity Max */
            intensity_max: number;
            /** Intensity Min */
            intensity_min: number;
            /**
             * Intensity Unit
             * @description "HU" for CT, else null
             */
            intensity_unit?: string | null;
            /**
             * Modality
             * @description DICOM Modality, or "CT" for HU-like intensities
             */
            modality?: string | null;
            /** Orientation */
            orientation: string;
            /**
             * Owner
             * @description the user id of whoever stored it
             */
            owner?: string | null;
            /**
             * Project
             * @description its project's id: the members see it too
             */
            project?: string | null;
            /** Shape */
            shape: number[];
            /** Spacing */
            spacing: number[];
        };
        /** WorkerInfo */
        WorkerInfo: {
            /** Current Job */
            current_job: string | null;
            /** Device */
            device: string;
            /** Gpu Name */
            gpu_name: string | null;
            /** Host */
            host: string;
            /** Id */
            id: string;
            /**
             * Last Seen
             * @description time of the last heartbeat (seconds since the epoch)
             */
            last_seen: number;
            /** Started */
            started: number;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    audit_trail_api_admin_audit_get: {
        parameters: {
            query?: {
                user_id?: string | null;
                action?: components["schemas"]["AuditAction"] | null;
                object_id?: string | null;
                /** @description seconds since the epoch (UTC) */
                since?: number | null;
                /** @description seconds since the epoch (exclusive) */
                until?: number | null;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AuditEventInfo"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    list_projects_api_admin_projects_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProjectInfo"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    add_project_api_admin_projects_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProjectCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProjectInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    add_member_api_admin_projects__project_id__members__user_id__put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                project_id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProjectInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    remove_member_api_admin_projects__project_id__members__user_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                project_id: string;
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProjectInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    revoke_token_api_admin_tokens__token_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    list_users_api_admin_users_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserInfo"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    add_user_api_admin_users_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    update_user_api_admin_users__user_id__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UserUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    user_tokens_api_admin_users__user_id__tokens_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenInfo"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    create_user_token_api_admin_users__user_id__tokens_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenCreated"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    get_config_api_dicom_config_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DicomConfig"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    put_config_api_dicom_config_put: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DicomConfig"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DicomConfig"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    node_status_api_dicom_node_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DicomNodeStatus"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    resend_failed_api_dicom_sends__send_id__resend_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                send_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    worklist_api_dicom_series_get: {
        parameters: {
            query?: {
                /** @description at most this many, newest first */
                limit?: number;
                /** @description the id of the last series of the page before: the series received before it (the next page, unshifted by series that arrive meanwhile) */
                before?: string | null;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DicomSeriesInfo"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    approve_series_api_dicom_series__series_id__approve_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                series_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DicomSeriesInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    health_api_health_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: boolean;
                    };
                };
            };
        };
    };
    info_api_info_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Info"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    list_jobs_api_jobs_get: {
        parameters: {
            query?: {
                /** @description only the jobs of this volume */
                volume_id?: string | null;
                /** @description at most this many, newest first */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    create_job_api_jobs_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["JobCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job queue is full (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    get_job_api_jobs__job_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    cancel_job_api_jobs__job_id__cancel_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    job_events_api_jobs__job_id__events_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Server-Sent Events: one JobStatus JSON per change, until the job ends */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    download_labelmap_api_jobs__job_id__labelmap_nii_gz_get: {
        parameters: {
            query?: {
                /** @description comma-separated mask indices, e.g. 0,2: only these, in this order (label-map value k + 1 = the k-th); absent: all */
                masks?: string | null;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description value k + 1 = the k-th mask exported */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    job_labels_api_jobs__job_id__labels_json_get: {
        parameters: {
            query?: {
                /** @description comma-separated mask indices, e.g. 0,2: only these, in this order (label-map value k + 1 = the k-th); absent: all */
                masks?: string | null;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    }[];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    job_labels_itksnap_api_jobs__job_id__labels_txt_get: {
        parameters: {
            query?: {
                /** @description comma-separated mask indices, e.g. 0,2: only these, in this order (label-map value k + 1 = the k-th); absent: all */
                masks?: string | null;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ITK-SNAP label description file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    save_edited_mask_api_jobs__job_id__masks_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_save_edited_mask_api_jobs__job_id__masks_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description request body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    download_all_api_jobs__job_id__masks_zip_get: {
        parameters: {
            query?: {
                /** @description comma-separated mask indices, e.g. 0,2: only these, in this order (label-map value k + 1 = the k-th); absent: all */
                masks?: string | null;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the masks as <name>.nii.gz, labels.json, labels.txt */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/zip": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    delete_result_mask_api_jobs__job_id__masks__index__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                index: number;
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    update_result_mask_api_jobs__job_id__masks__index__patch: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                index: number;
                job_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MaskUpdate"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobStatus"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    download_mask_api_jobs__job_id__masks__index__nii_gz_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                index: number;
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description one mask in the input's orientation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    store_result_api_jobs__job_id__pacs_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PacsStore"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PacsStored"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the PACS is unreachable, refused our credentials or the store */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the PACS did not answer in time */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    download_rtstruct_api_jobs__job_id__rtstruct_dcm_get: {
        parameters: {
            query?: {
                mask?: number | null;
                /** @description comma-separated mask indices, e.g. 0,2: only these, in this order (label-map value k + 1 = the k-th); absent: all */
                masks?: string | null;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description RT Structure Set */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/dicom": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    download_dicom_seg_api_jobs__job_id__seg_dcm_get: {
        parameters: {
            query?: {
                mask?: number | null;
                /** @description comma-separated mask indices, e.g. 0,2: only these, in this order (label-map value k + 1 = the k-th); absent: all */
                masks?: string | null;
            };
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description DICOM SEG */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/dicom": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    who_am_i_api_me_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Me"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    my_tokens_api_me_tokens_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenInfo"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    create_my_token_api_me_tokens_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenCreate"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TokenCreated"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    revoke_my_token_api_me_tokens__token_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    import_series_api_pacs_import_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PacsImport"];
            };
        };
        responses: {
            /** @description the series was imported before: the stored volume */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VolumeInfo"];
                };
            };
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VolumeInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the PACS is unreachable, refused our credentials or the store */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the PACS did not answer in time */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    search_studies_api_pacs_studies_get: {
        parameters: {
            query?: {
                patient_id?: string | null;
                /** @description prefix match unless it has * or ? */
                patient_name?: string | null;
                accession?: string | null;
                /** @description YYYYMMDD or a range A-B */
                study_date?: string | null;
                modality?: string | null;
                limit?: number;
                offset?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PacsStudy"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the PACS is unreachable, refused our credentials or the store */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the PACS did not answer in time */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    list_series_api_pacs_studies__study_uid__series_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                study_uid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PacsSeries"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the PACS is unreachable, refused our credentials or the store */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the PACS did not answer in time */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    prompts_api_prompts_get: {
        parameters: {
            query?: {
                q?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string[];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    list_protocols_api_protocols_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProtocolInfo"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    get_protocol_api_protocols__protocol_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description e.g. pelvis-rt */
                protocol_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProtocolInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    put_protocol_api_protocols__protocol_id__put: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description e.g. pelvis-rt */
                protocol_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProtocolBody"];
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProtocolInfo"];
                };
            };
            /** @description a new protocol */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProtocolInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    delete_protocol_api_protocols__protocol_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description e.g. pelvis-rt */
                protocol_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    ready_api_ready_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: boolean;
                    };
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    sign_in_options_api_sign_in_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SignIn"];
                };
            };
        };
    };
    list_volumes_api_volumes_get: {
        parameters: {
            query?: {
                /** @description at most this many, newest first */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VolumeInfo"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    upload_volume_api_volumes_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_upload_volume_api_volumes_post"];
            };
        };
        responses: {
            /** @description Successful Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VolumeInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description several DICOM series: pick one (list in `series`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SeriesChoice"];
                };
            };
            /** @description request body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    get_volume_api_volumes__volume_id__get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                volume_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VolumeInfo"];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    delete_volume_api_volumes__volume_id__delete: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                volume_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    export_case_api_volumes__volume_id__export_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                volume_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CaseExport"];
            };
        };
        responses: {
            /** @description the masks as one file: masks.zip (<name>.nii.gz, labels.json, labels.txt), labels.nii.gz, labels.json, labels.txt, seg.dcm or rtstruct.dcm */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    get_volume_image_api_volumes__volume_id__image_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                volume_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the stored upload */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    list_workers_api_workers_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WorkerInfo"][];
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    capabilities_capabilities_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    healthz_healthz_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: boolean;
                    };
                };
            };
        };
    };
    upload_image_images_post: {
        parameters: {
            query?: {
                include_image?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description the image file's bytes (.nii.gz; also .nii, .nrrd, .mha or a DICOM .zip) */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description the packed RAS array (float32, (A0, A1, A2)); empty with include_image=false. Header X-Meta: {image_id, spacing, shape} (RAS-array order) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description request body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    export_labelmap_images__image_id__export_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                image_id: string;
            };
            cookie?: never;
        };
        /** @description a packed (A0, A1, A2) integer label map */
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description the label map as .nii.gz in the image's original orientation and affine */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description request body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    start_job_jobs_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    image_id: string;
                    keep_largest?: boolean;
                    prompts: string | [
                        string,
                        ...string[]
                    ];
                };
            };
        };
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: string;
                    };
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job queue is full (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    cancel_job_jobs__job_id__cancel_post: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Successful Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: boolean;
                    };
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    job_events_jobs__job_id__events_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description NDJSON: {"done", "total"} per window, {"event": "oom_fallback", "message"}, then {"status": "done" | "cancelled" | "error"[, "message"]} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    job_result_jobs__job_id__result_get: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                job_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the masks, packed: (N, A0, A1, A2) uint8, prompt i in [i] */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the resource is not in a state that allows this */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job failed inside the server (as the official server) */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    metrics_metrics_get: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the Prometheus text format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
    predict_predict_post: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["Body_predict_predict_post"];
            };
        };
        responses: {
            /** @description mask or label map (.nii.gz) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/gzip": string;
                };
            };
            /** @description malformed request body (e.g. invalid multipart data) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description missing or wrong credentials (API key or personal token) */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description signed in, but not allowed to do this */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description no such resource */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description several DICOM series (pick one), or the job was cancelled */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SeriesChoice"];
                };
            };
            /** @description request body over the size limit */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the request or the uploaded data is invalid (the detail says why) */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job queue is full (see Retry-After) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the segmentation failed inside the server */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the job database is unavailable for the moment */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
            /** @description the server's disk is full */
            507: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorDetail"];
                };
            };
        };
    };
}
