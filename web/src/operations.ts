// Every operation the catalogue sends; graphql-codegen types them from ../schema.graphql.
import { graphql } from "./gql";

// What every mutation's refusals and every item's permitted actions are selected as: one place.
export const REFUSAL = graphql(`
  fragment Refusal on UserError {
    code
    message
    field
  }
`);

export const ALLOWED = graphql(`
  fragment Allowed on ViewerPermissions {
    edit
    delete
    purge
    share
  }
`);

export const ME = graphql(`
  query Me {
    me {
      id
      name
      email
      organizations {
        id
        name
        slug
        role
        usageBytes
        quotaBytes
        rootFolder {
          id
          name
        }
      }
    }
  }
`);

// What the home page keeps for the caller: their stars and the files they touched last.
export const KEPT = graphql(`
  query Kept {
    me {
      id
      starred {
        __typename
        id
        ... on File {
          name
          folder {
            name
          }
        }
        ... on Folder {
          name
          parent {
            name
          }
        }
      }
      recentFiles {
        id
        name
        updatedAt
        folder {
          name
        }
      }
    }
  }
`);

// A folder's facts for the details panel beside a listing.
export const FOLDER_DETAILS = graphql(`
  query FolderDetails($id: ID!) {
    node(id: $id) {
      ... on Folder {
        id
        name
        createdAt
        updatedAt
        owner {
          name
        }
        shares {
          id
        }
      }
    }
  }
`);

export const ITEM_STARRED = graphql(`
  query ItemStarred($id: ID!) {
    node(id: $id) {
      id
      ... on File {
        starred
      }
      ... on Folder {
        starred
      }
    }
  }
`);

export const SET_STARRED = graphql(`
  mutation SetStarred($id: ID!, $starred: Boolean!) {
    setStarred(input: { id: $id, starred: $starred }) {
      item {
        id
        ... on File {
          starred
        }
        ... on Folder {
          starred
        }
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const FOLDER_PAGE = graphql(`
  query FolderPage(
    $id: ID!
    $first: Int!
    $after: String
    $foldersAfter: String
    $sortBy: SortField!
    $direction: SortDirection!
  ) {
    folder(id: $id) {
      id
      name
      trashedAt
      viewerCan {
        ...Allowed
      }
      ancestors {
        id
        name
      }
      folders(first: 100, after: $foldersAfter, sortBy: $sortBy, direction: $direction) {
        nodes {
          id
          name
          updatedAt
          viewerCan {
            ...Allowed
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
      files(first: $first, after: $after, sortBy: $sortBy, direction: $direction) {
        nodes {
          id
          name
          size
          contentType
          status
          updatedAt
          viewerCan {
            ...Allowed
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const FILE_DETAILS = graphql(`
  query FileDetails($id: ID!) {
    node(id: $id) {
      ... on File {
        id
        name
        size
        contentType
        checksum
        checksumPartSize
        status
        metadata
        createdAt
        updatedAt
        trashedAt
        provenance {
          sourceKind
          sensorId
          platform
          location {
            longitude
            latitude
          }
          bbox {
            west
            south
            east
            north
          }
          timeRange {
            start
            end
          }
        }
        owner {
          name
          email
        }
        folder {
          id
          name
          ancestors {
            id
            name
          }
        }
        viewerCan {
          ...Allowed
        }
      }
    }
  }
`);

export const FILE_DOWNLOAD = graphql(`
  query FileDownload($id: ID!, $partSize: BigInt!) {
    node(id: $id) {
      ... on File {
        download(partSize: $partSize) {
          url
          expiresAt
          parts {
            partNumber
            rangeStart
            rangeEnd
          }
        }
      }
    }
  }
`);

export const SEARCH = graphql(`
  query SearchFiles(
    $filter: FileSearchInput
    $first: Int!
    $after: String
    $sortBy: SortField!
    $direction: SortDirection!
  ) {
    searchFiles(filter: $filter, first: $first, after: $after, sortBy: $sortBy, direction: $direction) {
      nodes {
        id
        name
        size
        contentType
        updatedAt
        provenance {
          sourceKind
          bbox {
            west
            south
            east
            north
          }
        }
        folder {
          id
          name
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

// Folders by name, beside the files a search finds.
export const SEARCH_FOLDERS = graphql(`
  query SearchFolders($name: String!) {
    searchFolders(name: $name, first: 20) {
      nodes {
        id
        name
        parent {
          name
        }
      }
      pageInfo {
        hasNextPage
      }
    }
  }
`);

export const SEARCH_FACETS = graphql(`
  query SearchFacets($filter: FileSearchInput) {
    searchFacets(filter: $filter) {
      count
      exact
      types {
        value
        count
      }
      sources {
        value
        count
      }
      years {
        value
        count
      }
      organizations {
        count
        organization {
          id
          name
        }
      }
    }
  }
`);

// Where a deleted item was: its folder, and the folders above that (root first).
export const ORIGIN = graphql(`
  fragment Origin on Folder {
    id
    name
    trashedAt
    ancestors {
      id
      name
    }
  }
`);

export const TRASH = graphql(`
  query Trash($foldersAfter: String, $filesAfter: String) {
    me {
      id
      organizations {
        id
        name
        slug
        trashedFolders(first: 50, after: $foldersAfter) {
          nodes {
            id
            name
            trashedAt
            trashedBy {
              name
            }
            parent {
              ...Origin
            }
            viewerCan {
              ...Allowed
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
        trashedFiles(first: 50, after: $filesAfter) {
          nodes {
            id
            name
            size
            trashedAt
            trashedBy {
              name
            }
            folder {
              ...Origin
            }
            viewerCan {
              ...Allowed
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    }
  }
`);

export const DELETE_FOLDER = graphql(`
  mutation DeleteFolder($id: ID!) {
    deleteFolder(input: { id: $id }) {
      folder {
        id
        trashedAt
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const DELETE_FILE = graphql(`
  mutation DeleteFile($id: ID!) {
    deleteFile(input: { id: $id }) {
      file {
        id
        trashedAt
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const RESTORE_FOLDER = graphql(`
  mutation RestoreFolder($id: ID!) {
    restoreFolder(input: { id: $id }) {
      folder {
        id
        trashedAt
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const RESTORE_FILE = graphql(`
  mutation RestoreFile($id: ID!) {
    restoreFile(input: { id: $id }) {
      file {
        id
        trashedAt
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const PURGE_FOLDER = graphql(`
  mutation PurgeFolder($id: ID!) {
    purgeFolder(input: { id: $id }) {
      purgedFolderId
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const PURGE_FILE = graphql(`
  mutation PurgeFile($id: ID!) {
    purgeFile(input: { id: $id }) {
      purgedFileId
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const CREATE_FOLDER = graphql(`
  mutation CreateFolder($parentId: ID!, $name: String!) {
    createFolder(input: { parentId: $parentId, name: $name }) {
      folder {
        id
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

// A dropped folder goes into the one already there of its name; a file there with the same content
// is not sent again.
export const CHILD_FOLDER = graphql(`
  query ChildFolder($id: ID!, $name: String!) {
    folder(id: $id) {
      id
      childFolder(name: $name) {
        id
      }
    }
  }
`);

export const CHILD_FILE = graphql(`
  query ChildFile($id: ID!, $name: String!) {
    folder(id: $id) {
      id
      childFile(name: $name) {
        id
        name
        size
        status
        checksum
        checksumPartSize
        uploadInProgress {
          uploadId
          partSize
          viewerCanResume
        }
      }
    }
  }
`);

export const UPLOADS_IN_PROGRESS = graphql(`
  query UploadsInProgress($id: ID!) {
    folder(id: $id) {
      id
      uploadsInProgress {
        uploadId
        partCount
        storedBytes
        startedAt
        lastActivity
        abandonedAfter
        viewerCanResume
        file {
          id
          name
          size
          owner {
            id
            name
          }
        }
      }
    }
  }
`);

// Uploads start and finish in batches: the files picked together go in one request each way.
export const CREATE_UPLOADS = graphql(`
  mutation CreateUploads($uploads: [CreateUploadInput!]!) {
    createUploads(input: { uploads: $uploads }) {
      results {
        upload {
          id
          partSize
          parts {
            partNumber
            url
            headers {
              name
              value
            }
          }
        }
        userErrors {
          ...Refusal
        }
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const UPLOADED_PARTS = graphql(`
  query UploadedParts($id: ID!) {
    node(id: $id) {
      ... on Upload {
        uploadedParts {
          partNumber
          etag
          checksumSha256
        }
      }
    }
  }
`);

export const PART_URLS = graphql(`
  mutation PartUrls($input: UploadPartUrlsInput!) {
    uploadPartUrls(input: $input) {
      upload {
        parts {
          partNumber
          url
          headers {
            name
            value
          }
        }
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const COMPLETE_UPLOADS = graphql(`
  mutation CompleteUploads($uploads: [CompleteUploadInput!]!) {
    completeUploads(input: { uploads: $uploads }) {
      results {
        file {
          id
          name
          checksum
        }
        userErrors {
          ...Refusal
        }
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const ABORT_UPLOAD = graphql(`
  mutation AbortUpload($id: ID!) {
    abortUpload(input: { uploadId: $id }) {
      abortedUploadId
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const RENAME_FOLDER = graphql(`
  mutation RenameFolder($id: ID!, $name: String!) {
    renameFolder(input: { id: $id, name: $name }) {
      folder {
        id
        name
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const RENAME_FILE = graphql(`
  mutation RenameFile($id: ID!, $name: String!) {
    renameFile(input: { id: $id, name: $name }) {
      file {
        id
        name
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const MOVE_FOLDER = graphql(`
  mutation MoveFolder($id: ID!, $to: ID!) {
    moveFolder(input: { id: $id, parentId: $to }) {
      folder {
        id
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const MOVE_FILE = graphql(`
  mutation MoveFile($id: ID!, $to: ID!) {
    moveFile(input: { id: $id, folderId: $to }) {
      file {
        id
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const FOLDER_PICKER = graphql(`
  query FolderPicker($id: ID!, $after: String) {
    folder(id: $id) {
      id
      name
      viewerCan {
        ...Allowed
      }
      ancestors {
        id
        name
      }
      folders(first: 100, after: $after) {
        nodes {
          id
          name
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`);

export const ITEM_SHARES = graphql(`
  query ItemShares($id: ID!) {
    node(id: $id) {
      ... on Folder {
        id
        name
        shares {
          ...ShareRow
        }
        shareEvents(first: 50) {
          nodes {
            ...ShareEventRow
          }
        }
      }
      ... on File {
        id
        name
        shares {
          ...ShareRow
        }
        shareEvents(first: 50) {
          nodes {
            ...ShareEventRow
          }
        }
      }
    }
  }
  fragment ShareRow on Share {
    id
    role
    status
    createdAt
    terms {
      text
      licence
      expiresAt
      allowReshare
    }
    granteeUser {
      name
      email
    }
    granteeEmail
    uploadAllowanceBytes
    granteeOrganization {
      name
      slug
    }
  }
  fragment ShareEventRow on ShareEvent {
    kind
    at
    detail
    accessCount
    actor {
      name
    }
  }
`);

export const DIRECTORY = graphql(`
  query Directory($search: String) {
    organizations(search: $search, first: 20) {
      nodes {
        id
        name
        slug
      }
    }
  }
`);

// Colleagues to share with, suggested from the second letter typed.
export const PEOPLE = graphql(`
  query People($search: String!) {
    people(search: $search, first: 8) {
      id
      name
      email
    }
  }
`);

export const CREATE_SHARE = graphql(`
  mutation CreateShare($input: CreateShareInput!) {
    createShare(input: $input) {
      ...ShareOutcome
    }
  }
`);

// What each share mutation answers: the share as it now stands, or why not.
export const SHARE_OUTCOME = graphql(`
  fragment ShareOutcome on SharePayload {
    share {
      id
      role
      status
    }
    userErrors {
      ...Refusal
    }
  }
`);

export const REVOKE_SHARE = graphql(`
  mutation RevokeShare($id: ID!) {
    revokeShare(input: { shareId: $id }) {
      ...ShareOutcome
    }
  }
`);

export const UPDATE_SHARE = graphql(`
  mutation UpdateShareRole($id: ID!, $role: ShareRole!) {
    updateShare(input: { shareId: $id, role: $role }) {
      ...ShareOutcome
    }
  }
`);

// Who holds an item, and whom of them to ask: for a member who may not share it.
export const ITEM_HOLDER = graphql(`
  query ItemHolder($id: ID!) {
    node(id: $id) {
      ... on Folder {
        organization {
          ...Holder
        }
      }
      ... on File {
        organization {
          ...Holder
        }
      }
    }
  }
  fragment Holder on Organization {
    id
    name
    role
    admins {
      id
      name
      email
    }
  }
`);

// Each share of one item after a change: the item's pages read its shares again.
export const SHARE_CHANGED = graphql(`
  subscription ShareChanged($id: ID!) {
    shareChanged(resourceId: $id) {
      id
      status
    }
  }
`);

export const SHARED_WITH_ME = graphql(`
  query SharedWithMe($status: [ShareStatus!], $after: String, $resourceId: ID) {
    sharedWithMe(status: $status, first: 50, after: $after, resourceId: $resourceId) {
      nodes {
        id
        role
        status
        endedBecause
        message
        createdAt
        termsHash
        resourceName
        terms {
          text
          licence
          expiresAt
          allowReshare
        }
        createdBy {
          name
        }
        granteeOrganization {
          name
        }
        resource {
          __typename
          ... on Folder {
            id
            name
          }
          ... on File {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ACCEPT_SHARE = graphql(`
  mutation AcceptShare($id: ID!, $hash: String!) {
    acceptShare(input: { shareId: $id, termsHash: $hash }) {
      ...ShareOutcome
    }
  }
`);

export const DECLINE_SHARE = graphql(`
  mutation DeclineShare($id: ID!) {
    declineShare(input: { shareId: $id }) {
      ...ShareOutcome
    }
  }
`);

export const COPERNICUS_SERVICES = graphql(`
  query CopernicusServices {
    copernicusServices {
      id
      name
      enabled
      hasOwnKey
    }
  }
`);

export const COPERNICUS_DATASETS = graphql(`
  query CopernicusDatasets($service: String!, $search: String) {
    copernicusDatasets(service: $service, search: $search, first: 50) {
      id
      title
      description
    }
  }
`);

export const COPERNICUS_REQUESTS = graphql(`
  query CopernicusRequests {
    copernicusRequests(first: 50) {
      nodes {
        ...RequestRow
      }
    }
  }
  fragment RequestRow on CopernicusRequest {
    id
    service
    dataset
    request
    status
    upstreamStatus
    createdAt
    updatedAt
    progress {
      bytes
      total
    }
    error {
      code
      message
    }
    resultFile {
      id
      name
    }
  }
`);

export const COPERNICUS_UPDATES = graphql(`
  subscription CopernicusUpdates {
    copernicusRequestsUpdated {
      event {
        seq
        status
        at
      }
      request {
        ...RequestRow
      }
    }
  }
`);

export const REQUEST_COPERNICUS = graphql(`
  mutation RequestCopernicus($input: RequestCopernicusDataInput!) {
    requestCopernicusData(input: $input) {
      joinedEarlier
      copernicusRequest {
        ...RequestRow
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const CANCEL_COPERNICUS = graphql(`
  mutation CancelCopernicus($id: ID!) {
    cancelCopernicusRequest(input: { id: $id }) {
      copernicusRequest {
        ...RequestRow
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const SET_COPERNICUS_KEY = graphql(`
  mutation SetCopernicusKey($service: String!, $key: String!) {
    setCopernicusKey(input: { service: $service, key: $key }) {
      service
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const REMOVE_COPERNICUS_KEY = graphql(`
  mutation RemoveCopernicusKey($service: String!) {
    removeCopernicusKey(input: { service: $service }) {
      service
      userErrors {
        ...Refusal
      }
    }
  }
`);

export const UPDATE_METADATA = graphql(`
  mutation UpdateMetadata($input: UpdateFileMetadataInput!) {
    updateFileMetadata(input: $input) {
      file {
        id
      }
      userErrors {
        ...Refusal
      }
    }
  }
`);
