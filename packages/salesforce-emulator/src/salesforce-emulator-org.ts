import { deployResults } from './salesforce-emulator-deploy.js';
import { componentForRead } from './salesforce-emulator-metadata.js';
import {
  addUser,
  findObject,
  findRecordById,
  metadataOfType,
  type OrgState,
  recordsOf,
} from './salesforce-emulator-org-state.js';
import {
  createRecord,
  createWriteContext,
  updateRecord,
  visibleFields,
} from './salesforce-emulator-records.js';
import type { SalesforceEmulatorOrg } from './salesforce-emulator-types.js';
import { xmlText } from './salesforce-emulator-xml.js';

function copy<T>(value: T): T {
  return structuredClone(value);
}

function requireObject(org: OrgState, sobject: string) {
  const object = findObject(org, sobject);
  if (!object) throw new Error(`The org ${org.orgId} has no sObject named ${sobject}`);
  return object;
}

/** Direct access to an org's state for tests (no HTTP, no API usage). */
export function createOrgFacade(org: OrgState): SalesforceEmulatorOrg {
  return {
    get orgId() {
      return org.orgId;
    },
    get edition() {
      return org.edition;
    },
    get salesforceId() {
      return org.salesforceId;
    },
    get integrationUserId() {
      return org.integrationUserId;
    },
    metadata(type) {
      return [...metadataOfType(org, type).values()].map(
        (component) => componentForRead(org, type, xmlText(component.fullName)) ?? {},
      );
    },
    component(type, fullName) {
      const component = componentForRead(org, type, fullName);
      return component ? copy(component) : undefined;
    },
    records(sobject) {
      return [...recordsOf(org, requireObject(org, sobject).name).values()].map(copy);
    },
    record(id) {
      const found = findRecordById(org, id);
      return found ? copy(found.record) : undefined;
    },
    insert(sobject, fields) {
      const result = createRecord(
        createWriteContext(org, org.integrationUserId, { system: true }),
        requireObject(org, sobject),
        fields,
      );
      if (!result.success)
        throw new Error(result.errors.map((error) => `${error.statusCode}: ${error.message}`).join('; '));
      return result.id;
    },
    update(sobject, id, fields) {
      const result = updateRecord(
        createWriteContext(org, org.integrationUserId, { system: true }),
        requireObject(org, sobject),
        id,
        fields,
      );
      if (!result.success)
        throw new Error(result.errors.map((error) => `${error.statusCode}: ${error.message}`).join('; '));
    },
    users() {
      return [...recordsOf(org, 'User').values()].map((user) => ({
        id: String(user.Id),
        username: String(user.Username),
        name: String(user.Name),
        email: String(user.Email),
        isActive: user.IsActive === true,
      }));
    },
    createUser(user) {
      return addUser(org, user);
    },
    permissionSetAssignments() {
      const permissionSets = recordsOf(org, 'PermissionSet');
      return [...recordsOf(org, 'PermissionSetAssignment').values()].map((assignment) => ({
        id: String(assignment.Id),
        assigneeId: String(assignment.AssigneeId),
        permissionSetId: String(assignment.PermissionSetId),
        permissionSetName: String(permissionSets.get(String(assignment.PermissionSetId))?.Name ?? ''),
      }));
    },
    assignPermissionSet(userId, permissionSetName) {
      const permissionSet = [...recordsOf(org, 'PermissionSet').values()].find(
        (record) => String(record.Name).toLowerCase() === permissionSetName.toLowerCase(),
      );
      if (!permissionSet) throw new Error(`No permission set named ${permissionSetName}`);
      return this.insert('PermissionSetAssignment', {
        AssigneeId: userId,
        PermissionSetId: permissionSet.Id,
      });
    },
    fieldHistory(sobject, recordId) {
      const object = requireObject(org, sobject);
      const history = object.historyObjectName ? findObject(org, object.historyObjectName) : undefined;
      if (!history?.historyOf) return [];
      const parentField = history.historyOf.parentField;
      return [...recordsOf(org, history.name).values()]
        .filter(
          (row) =>
            recordId === undefined ||
            row[parentField] === (findRecordById(org, recordId)?.record.Id ?? recordId),
        )
        .map((row) => ({
          id: String(row.Id),
          parentId: String(row[parentField]),
          field: String(row.Field),
          oldValue: row.OldValue,
          newValue: row.NewValue,
          createdDate: String(row.CreatedDate),
          createdById: String(row.CreatedById),
        }));
    },
    flowRuns() {
      return copy(org.flowRuns);
    },
    visibleFields(sobject, userId) {
      return visibleFields(org, userId ?? org.integrationUserId, requireObject(org, sobject)).map(
        (field) => field.name,
      );
    },
    deploys() {
      return [...deployResults(org).values()].map(copy);
    },
    apiUsage() {
      return { used: org.apiUsage, limit: org.dailyApiLimit };
    },
    setApiUsage(used) {
      org.apiUsage = used;
    },
    setPathEnabled(enabled) {
      org.pathEnabled = enabled;
    },
  };
}
